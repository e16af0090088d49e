using CohortSync.Sandbox.Iterable;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CohortSync.Sandbox.Admin;

/// <summary>/_admin: the request log, reset of all state, and the fault switches.</summary>
public static class SandboxAdminEndpoints
{
    public static IEndpointRouteBuilder MapSandboxAdmin(this IEndpointRouteBuilder app, SandboxServer server)
    {
        var admin = app.MapGroup("/_admin");

        admin.MapGet("/requests", (long? since) =>
            Results.Json(since is { } sequence ? server.Requests.Since(sequence) : server.Requests.Snapshot(), IterableEndpoints.Json));

        admin.MapDelete("/requests", () =>
        {
            server.Requests.Clear();
            return Results.NoContent();
        });

        admin.MapPost("/reset", () =>
        {
            server.Reset();
            return Results.NoContent();
        });

        admin.MapGet("/faults", () => Results.Json(server.Iterable.Faults, IterableEndpoints.Json));

        admin.MapPut("/faults", (IterableFaults faults) =>
        {
            try
            {
                server.Iterable.Faults = faults;
                return Results.Json(server.Iterable.Faults, IterableEndpoints.Json);
            }
            catch (ArgumentException invalid)
            {
                return Results.BadRequest(new { error = invalid.Message });
            }
        });

        return app;
    }
}
