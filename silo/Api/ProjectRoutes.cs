using CohortSync.Contracts;

namespace CohortSync.Silo.Api;

/// <summary><c>/api/v1/projects/{projectId}</c>: <c>project show|enable|disable|webhook</c>.</summary>
internal static class ProjectRoutes
{
    public static void Map(RouteGroupBuilder project)
    {
        project.MapGet("", (string projectId, IGrainFactory grains) => Project(grains, projectId).GetAsync())
            .WithName("GetProject").Produces<ProjectInfo>().ProducesProblem(StatusCodes.Status404NotFound);

        project.MapPost("/enable", async (string projectId, EnableProjectBody body, IGrainFactory grains) =>
        {
            if ((BodyRules.Blank(body.AmplitudeApiKey, "amplitudeApiKey") ?? BodyRules.Blank(body.AmplitudeSecretKey, "amplitudeSecretKey")
                ?? BodyRules.Region(body.AmplitudeRegion?.Trim().ToLowerInvariant()) ?? BodyRules.AtMostOne(body.AmplitudeRegion, body.AmplitudeUrl, "amplitude")) is { } invalid)
                return ApiProblems.Invalid(invalid);
            var request = new EnableProjectRequest(body.AmplitudeApiKey!.Trim(), body.AmplitudeSecretKey!.Trim(), body.AmplitudeRegion?.Trim().ToLowerInvariant(), body.AmplitudeUrl)
            {
                Organisation = body.Organisation,
            };
            return Results.Ok(await Project(grains, projectId).EnableAsync(request));
        }).WithName("EnableProject").Produces<ProjectInfo>().Writes();

        project.MapPost("/disable", (string projectId, IGrainFactory grains) => Project(grains, projectId).DisableAsync())
            .WithName("DisableProject").Produces<ProjectInfo>().ProducesProblem(StatusCodes.Status404NotFound).Writes();

        project.MapPost("/quota/reset", (string projectId, IGrainFactory grains) => Project(grains, projectId).ResetQuotaAsync())
            .WithName("ResetProjectQuota").Produces<ProjectInfo>().ProducesProblem(StatusCodes.Status404NotFound).Writes();

        project.MapPost("/webhook-token", async (string projectId, WebhookTokenBody? body, IGrainFactory grains) =>
        {
            var issued = await Project(grains, projectId).IssueWebhookTokenAsync(body?.Rotate ?? false);
            return new WebhookTokenAnswer(issued.Path, issued.Token);
        }).WithName("IssueWebhookToken").Produces<WebhookTokenAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).Writes();
    }

    private static IProjectGrain Project(IGrainFactory grains, string projectId) => grains.GetGrain<IProjectGrain>(projectId);
}
