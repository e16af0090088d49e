using CohortSync.Contracts;

namespace CohortSync.Silo.Api;

/// <summary><c>/api/v1/projects/{projectId}/destinations</c>: <c>destination add|update|list|show|remove</c>.</summary>
internal static class DestinationRoutes
{
    public static void Map(RouteGroupBuilder destinations)
    {
        destinations.MapGet("", (string projectId, IGrainFactory grains) => Project(grains, projectId).ListDestinationsAsync())
            .WithName("ListDestinations").Produces<IReadOnlyList<DestinationInfo>>().ProducesProblem(StatusCodes.Status404NotFound);

        destinations.MapPost("", async (string projectId, AddDestinationBody body, IGrainFactory grains) =>
        {
            var region = body.IterableRegion?.Trim().ToLowerInvariant();
            if ((BodyRules.Blank(body.Name, "name") ?? BodyRules.Blank(body.IterableApiKey, "iterableApiKey") ?? BodyRules.Region(region)
                ?? BodyRules.AtMostOne(region, body.IterableUrl, "iterable")) is { } invalid)
                return ApiProblems.Invalid(invalid);
            var added = await Project(grains, projectId).AddDestinationAsync(new AddDestinationRequest(body.Name!.Trim(), body.IterableApiKey!.Trim(),
                body.UserProperty?.Trim(), region, body.IterableUrl, body.RequestsPerSecond, body.MaxRequestsPerSecond, body.Concurrency));
            return Results.Created($"{ApiEndpoints.Prefix}/projects/{projectId}/destinations/{added.DestinationId}", added);
        }).WithName("AddDestination").Produces<DestinationInfo>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).Writes();

        destinations.MapGet("/{destinationId}", (string projectId, string destinationId, IGrainFactory grains) =>
                Project(grains, projectId).GetDestinationAsync(destinationId))
            .WithName("GetDestination").Produces<DestinationInfo>().ProducesProblem(StatusCodes.Status404NotFound);

        destinations.MapPut("/{destinationId}", async (string projectId, string destinationId, UpdateDestinationBody body, IGrainFactory grains, CancellationToken cancellationToken) =>
        {
            if (BodyRules.Blank(body.IterableApiKey, "iterableApiKey") is { } invalid) return ApiProblems.Invalid(invalid);
            var request = new UpdateDestinationRequest(body.IterableApiKey!.Trim(), body.RequestsPerSecond, body.MaxRequestsPerSecond, body.Concurrency);
            return Results.Ok(await Project(grains, projectId).UpdateDestinationAsync(destinationId, request, cancellationToken));
        }).WithName("UpdateDestination").Produces<DestinationInfo>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status502BadGateway).Writes();

        destinations.MapDelete("/{destinationId}", async (string projectId, string destinationId, IGrainFactory grains) =>
        {
            await Project(grains, projectId).RemoveDestinationAsync(destinationId);
            return new RemovedDestinationAnswer(projectId, destinationId, true);
        }).WithName("RemoveDestination").Produces<RemovedDestinationAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).Writes();
    }

    private static IProjectGrain Project(IGrainFactory grains, string projectId) => grains.GetGrain<IProjectGrain>(projectId);
}
