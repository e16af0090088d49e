using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CohortSync.Sandbox.Iterable;

/// <summary>
/// /_admin/iterable: what an operator could do in Iterable's UI, plus registering keys. Project-scoped calls
/// name the project by its key in the <c>Api-Key</c> header, as the real API does.
/// </summary>
public static class IterableAdminEndpoints
{
    public static IEndpointRouteBuilder MapIterableSandboxAdmin(this IEndpointRouteBuilder app, IterableSandbox sandbox)
    {
        var admin = app.MapGroup("/_admin/iterable");

        admin.MapPost("/keys", (AddKeyRequest request) => Guard(() =>
            Results.Json(new { projectId = sandbox.AddApiKey(request.ApiKey, request.ProjectId) }, IterableEndpoints.Json)));

        admin.MapDelete("/keys", (HttpContext http) =>
            sandbox.RevokeApiKey(ApiKey(http)) ? Results.NoContent() : NotFound("Unknown sandbox Iterable API key."));

        admin.MapGet("/lists", (HttpContext http) => Guard(() => Results.Json(sandbox.GetLists(ApiKey(http)), IterableEndpoints.Json)));

        admin.MapPost("/lists", (HttpContext http, CreateListAdminRequest request) => Guard(() =>
            Results.Json(new { listId = sandbox.CreateList(ApiKey(http), request.Name, request.Description) }, IterableEndpoints.Json)));

        admin.MapDelete("/lists/{listId:long}", (HttpContext http, long listId) => Guard(() =>
            sandbox.DeleteList(ApiKey(http), listId) ? Results.NoContent() : NotFound($"No list {listId} in this project.")));

        admin.MapGet("/lists/{listId:long}/members", (HttpContext http, long listId) => Guard(() =>
            Results.Json(sandbox.GetListMembers(ApiKey(http), listId), IterableEndpoints.Json)));

        admin.MapPost("/lists/{listId:long}/members", (HttpContext http, long listId, UserIdsRequest request) => Guard(() =>
        {
            sandbox.AddListMembers(ApiKey(http), listId, request.UserIds);
            return Results.NoContent();
        }));

        admin.MapPost("/lists/{listId:long}/members/remove", (HttpContext http, long listId, UserIdsRequest request) => Guard(() =>
        {
            sandbox.RemoveListMembers(ApiKey(http), listId, request.UserIds);
            return Results.NoContent();
        }));

        admin.MapPost("/users/{mark}", (HttpContext http, string mark, UserIdsRequest request) => Guard(() =>
        {
            if (!TryParseMark(mark, out var parsed))
            {
                return Results.BadRequest(new { error = "mark must be forgotten, conflict, invalid-data or invalid" });
            }

            sandbox.MarkUsers(ApiKey(http), parsed, request.UserIds);
            return Results.NoContent();
        }));

        return app;
    }

    /// <summary>URL spelling of <see cref="IterableUserMark"/>: forgotten, conflict, invalid-data, invalid.</summary>
    public static string ToPathSegment(this IterableUserMark mark) => mark switch
    {
        IterableUserMark.Forgotten => "forgotten",
        IterableUserMark.Conflict => "conflict",
        IterableUserMark.InvalidData => "invalid-data",
        IterableUserMark.Invalid => "invalid",
        _ => throw new ArgumentOutOfRangeException(nameof(mark)),
    };

    private static bool TryParseMark(string segment, out IterableUserMark mark)
    {
        foreach (var candidate in Enum.GetValues<IterableUserMark>())
        {
            if (candidate.ToPathSegment() == segment)
            {
                mark = candidate;
                return true;
            }
        }

        mark = default;
        return false;
    }

    private static string ApiKey(HttpContext http) =>
        http.Request.Headers["Api-Key"].FirstOrDefault() ?? throw new KeyNotFoundException("Send the project's key in the Api-Key header.");

    private static IResult Guard(Func<IResult> handle)
    {
        try
        {
            return handle();
        }
        catch (KeyNotFoundException missing)
        {
            return NotFound(missing.Message);
        }
        catch (Exception invalid) when (invalid is ArgumentException or InvalidOperationException or JsonException)
        {
            return Results.BadRequest(new { error = invalid.Message });
        }
    }

    private static IResult NotFound(string message) => Results.NotFound(new { error = message });

    public sealed record AddKeyRequest(string ApiKey, long? ProjectId = null);

    public sealed record CreateListAdminRequest(string Name, string? Description = null);

    public sealed record UserIdsRequest(IReadOnlyList<string> UserIds);
}
