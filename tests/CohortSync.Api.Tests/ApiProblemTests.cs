using System.Net.Http.Json;
using System.Text;

namespace CohortSync.Api.Tests;

/// <summary>Bad input answers RFC 9457 problems carrying the CLI's error codes, and changes nothing.</summary>
[Collection(ApiCollection.Name)]
public sealed class ApiProblemTests(ApiWorld world)
{
    [Fact]
    public async Task Bad_input_answers_problems_with_the_cli_error_codes()
    {
        var destinationId = await world.ProjectWithDestinationAsync("bad-1");
        using var api = world.Client(world.WriteToken);

        var notJson = await api.PostAsync("/api/v1/projects/bad-1/syncs", new StringContent("{ this is not json", Encoding.UTF8, "application/json"));
        await notJson.ProblemAsync(400, "invalid_argument");

        var cadence = await (await api.PostAsync("/api/v1/projects/bad-1/syncs", new { cohortId = "c", destinationId, cadence = "sometimes" })).ProblemAsync(400, "invalid_argument");
        Assert.Contains("cadence", cadence, StringComparison.OrdinalIgnoreCase);
        await (await api.PostAsync("/api/v1/projects/bad-1/syncs", new { destinationId, cadence = "once" })).ProblemAsync(400, "invalid_argument");
        await (await api.PostAsync("/api/v1/projects/bad-1/syncs", new { cohortId = "c", destinationId, cadence = "hourly", guard = "lots" })).ProblemAsync(400, "invalid_argument");

        await (await api.GetAsync("/api/v1/projects/bad-1/syncs/no-such-sync")).ProblemAsync(404, "unknown_sync");
        await (await api.GetAsync("/api/v1/projects/bad-1/destinations/no-such")).ProblemAsync(404, "unknown_destination");
        await (await api.GetAsync("/api/v1/projects/bad%20id")).ProblemAsync(400, "invalid_argument");
        await (await api.GetAsync("/api/v1/projects/bad-1/syncs/x/history?limit=0")).ProblemAsync(400, "invalid_argument");
        await (await api.PostAsJsonAsync("/api/v1/projects/bad-1/destinations", new { name = "x" })).ProblemAsync(400, "invalid_argument");

        var wrongKey = await (await api.PutAsJsonAsync($"/api/v1/projects/bad-1/destinations/{destinationId}", new { iterableApiKey = "rejected-key-9999" })).JsonAsync(400);
        Assert.Equal("invalid_argument", wrongKey.GetProperty("code").GetString());
        Assert.DoesNotContain("rejected-key-9999", wrongKey.GetRawText());

        Assert.Empty(await world.World.Grains.GetGrain<Contracts.IProjectGrain>("bad-1").ListSyncsAsync());
    }
}
