using System.Text.Json;
using System.Text.Json.Serialization;
using CohortSync.Contracts;
using Microsoft.AspNetCore.Http.Json;

namespace CohortSync.Silo.Api;

/// <summary>
/// <c>/api/v1/…</c>: the CLI's verbs as JSON resources, thin over the same grains, behind bearer tokens
/// (<see cref="ApiAuthentication"/>). The OpenAPI document (<c>/api/v1/openapi.json</c>) is generated from these routes.
/// Records are the CLI's <c>--json</c> documents: camelCase, enums as camelCase strings.
/// </summary>
public static class ApiEndpoints
{
    public const string Prefix = "/api/v1";
    public const string OpenApiPath = Prefix + "/openapi.json";

    public static WebApplicationBuilder AddCohortSyncApi(this WebApplicationBuilder builder)
    {
        builder.AddCohortSyncApiAuthentication();
        builder.Services.Configure<JsonOptions>(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false)));
        // A body that does not bind throws, so the API answers it as a problem rather than as an empty 400.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi("v1", options =>
        {
            // The API only: health, webhook intake and the dashboard are documented in docs/, not here.
            options.ShouldInclude = description => description.RelativePath?.StartsWith(Prefix[1..] + "/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer<BearerSecurityTransformer>();
        });
        return builder;
    }

    public static WebApplication MapCohortSyncApi(this WebApplication app)
    {
        app.UseWhen(http => http.Request.Path.StartsWithSegments(Prefix), api => api.Use(AnswerFailuresAsProblemsAsync));
        app.UseAuthentication();
        app.UseAuthorization();
        // Behind a token like the rest of the API: it names every resource the cluster has.
        app.MapOpenApi(OpenApiPath).RequireAuthorization(ApiAuthentication.ReadPolicy);

        var api = app.MapGroup(Prefix).RequireAuthorization(ApiAuthentication.ReadPolicy)
            .AddEndpointFilter(CheckRouteIdsAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapGet("/token", (HttpContext http) => new TokenAccessAnswer(!http.User.HasClaim(ApiAuthentication.AccessClaim, nameof(ApiTokenAccess.ReadWrite))))
            .WithName("GetTokenAccess").WithTags("tokens").Produces<TokenAccessAnswer>();
        ProjectRoutes.Map(api.MapGroup("/projects/{projectId}").WithTags("projects"));
        DestinationRoutes.Map(api.MapGroup("/projects/{projectId}/destinations").WithTags("destinations"));
        SyncRoutes.Map(api.MapGroup("/projects/{projectId}/syncs").WithTags("syncs"));
        return app;
    }

    /// <summary>Marks a route that changes something: a read-only token gets 403.</summary>
    public static RouteHandlerBuilder Writes(this RouteHandlerBuilder route) =>
        route.RequireAuthorization(ApiAuthentication.WritePolicy).ProducesProblem(StatusCodes.Status403Forbidden);

    /// <summary>Ids in the path follow the grain key rules; anything else is answered before a grain is asked.</summary>
    private static ValueTask<object?> CheckRouteIdsAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var (name, value) in context.HttpContext.Request.RouteValues)
        {
            if (name.EndsWith("Id", StringComparison.Ordinal) && !GrainKeys.IsValidId(value as string))
                return ValueTask.FromResult<object?>(ApiProblems.Invalid($"'{value}' is not a valid {name} (1–64 letters, digits, '.', '_' or '-')."));
        }
        return next(context);
    }

    /// <summary>
    /// One place for what the grains refuse and what cannot be read: a refusal keeps its code and sentence, an unreadable
    /// body is 400, a cluster that cannot answer 503. Details go to the log, never to the answer.
    /// </summary>
    private static async Task AnswerFailuresAsProblemsAsync(HttpContext http, RequestDelegate next)
    {
        try
        {
            await next(http);
        }
        catch (CohortSyncException refused) when (!http.Response.HasStarted)
        {
            await ApiProblems.WriteAsync(http, ApiProblems.StatusFor(refused.Code), refused.Code, refused.Message);
        }
        catch (BadHttpRequestException bad) when (!http.Response.HasStarted)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CohortSync.Silo.Api").LogInformation("API request refused: {Reason}", bad.Message);
            await ApiProblems.WriteAsync(http, StatusCodes.Status400BadRequest, ErrorCodes.InvalidArgument,
                "The request body is not the JSON this resource takes; see /api/v1/openapi.json.");
        }
        catch (Exception failed) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CohortSync.Silo.Api")
                .LogWarning(failed, "API request {Method} {Path} failed", http.Request.Method, http.Request.Path);
            await ApiProblems.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, ApiProblems.ClusterFailed,
                "The cluster could not answer now; try again in a moment.");
        }
    }
}
