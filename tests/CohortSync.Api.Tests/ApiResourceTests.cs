using System.Net.Http.Json;
using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Api.Tests;

/// <summary>Every resource of <c>/api/v1</c> on a real silo, as an operator's script would drive it.</summary>
[Collection(ApiCollection.Name)]
public sealed class ApiResourceTests(ApiWorld world)
{
    private const string Project = "/api/v1/projects/api-1";

    [Fact]
    public async Task A_script_enables_a_project_adds_a_destination_and_drives_a_sync_through_the_api()
    {
        using var api = world.Client(world.WriteToken);
        var sandbox = world.World.Sandbox.BaseUrl.ToString();
        world.World.SetCohort("coh-api", "API cohort", World.Users(0, 120));

        var enabled = await (await api.PostAsync($"{Project}/enable",
            new { amplitudeApiKey = World.AmplitudeKey, amplitudeSecretKey = World.AmplitudeSecret, amplitudeUrl = sandbox })).JsonAsync();
        Assert.True(enabled.GetProperty("enabled").GetBoolean());
        Assert.DoesNotContain(World.AmplitudeSecret, enabled.GetRawText());
        Assert.DoesNotContain(World.AmplitudeKey, enabled.GetRawText());
        Assert.Equal("api-1", (await (await api.GetAsync(Project)).JsonAsync()).GetProperty("projectId").GetString());

        var added = await api.PostAsJsonAsync($"{Project}/destinations", new { name = "Sandbox", iterableApiKey = World.IterableKey, iterableUrl = sandbox });
        var destination = await added.JsonAsync(201);
        var destinationId = destination.GetProperty("destinationId").GetString()!;
        Assert.Equal($"/api/v1/projects/api-1/destinations/{destinationId}", added.Headers.Location?.OriginalString);
        Assert.Equal("…0001", destination.GetProperty("keyHint").GetString());
        Assert.DoesNotContain(World.IterableKey, destination.GetRawText());
        Assert.Equal(destinationId, (await (await api.GetAsync($"{Project}/destinations")).JsonAsync())[0].GetProperty("destinationId").GetString());
        Assert.Equal("healthy", (await (await api.GetAsync($"{Project}/destinations/{destinationId}")).JsonAsync()).GetProperty("health").GetString());
        var updated = await (await api.PutAsJsonAsync($"{Project}/destinations/{destinationId}", new { iterableApiKey = World.IterableKey, concurrency = 2 })).JsonAsync();
        Assert.Equal(2, updated.GetProperty("concurrency").GetInt32());

        var started = await (await api.PostAsync($"{Project}/syncs", new { cohortId = "coh-api", destinationId, cadence = "hourly", guard = "off" })).JsonAsync(201);
        var syncId = started.GetProperty("syncId").GetString()!;
        Assert.Equal("off", started.GetProperty("guard").GetString());
        await world.World.WaitForRunAsync("api-1", syncId, 1);
        var status = await (await api.GetAsync($"{Project}/syncs/{syncId}")).JsonAsync();
        Assert.Equal(("scheduled", 120L), (status.GetProperty("state").GetString(), status.GetProperty("syncedCount").GetInt64()));
        Assert.Equal(syncId, (await (await api.GetAsync($"{Project}/syncs")).JsonAsync())[0].GetProperty("syncId").GetString());

        world.World.SetCohort("coh-api", "API cohort", World.Users(10, 120));
        var preview = await (await api.GetAsync($"{Project}/syncs/{syncId}/preview")).JsonAsync();
        Assert.Equal((10L, 10L), (preview.GetProperty("adds").GetInt64(), preview.GetProperty("removes").GetInt64()));

        Assert.Equal("running", (await (await api.PostAsync($"{Project}/syncs/{syncId}/run")).JsonAsync()).GetProperty("state").GetString());
        await world.World.WaitForRunAsync("api-1", syncId, 2);
        var history = await (await api.GetAsync($"{Project}/syncs/{syncId}/history?limit=1")).JsonAsync();
        Assert.Equal(1, history.GetArrayLength());
        Assert.Equal((2L, "succeeded", 10L), (history[0].GetProperty("runNumber").GetInt64(), history[0].GetProperty("outcome").GetString(),
            history[0].GetProperty("counts").GetProperty("added").GetInt64()));

        Assert.Equal("paused", (await (await api.PostAsync($"{Project}/syncs/{syncId}/pause")).JsonAsync()).GetProperty("state").GetString());
        Assert.NotEqual("paused", (await (await api.PostAsync($"{Project}/syncs/{syncId}/resume")).JsonAsync()).GetProperty("state").GetString());
        // Resuming may start the run the pause held back; the upload's run comes after it.
        var resumed = await Wait.ForAsync(async () => await world.Sync("api-1", syncId).GetStatusAsync() is { ActiveRun: null } s ? s : null, "the resumed sync to be idle");

        var uploaded = await (await api.PostAsync($"{Project}/syncs/{syncId}/upload", new { identifiers = World.Users(0, 5), run = true })).JsonAsync();
        Assert.Equal(syncId, uploaded.GetProperty("syncId").GetString());
        var fromUpload = await world.World.WaitForRunAsync("api-1", syncId, resumed.LastRun!.RunNumber + 1);
        Assert.Equal(5, fromUpload.Counts.Desired);

        var webhook = await (await api.PostAsync($"{Project}/webhook-token", new { rotate = false })).JsonAsync();
        Assert.Equal("/webhooks/amplitude/api-1", webhook.GetProperty("path").GetString());
        await (await api.PostAsync($"{Project}/webhook-token", new { rotate = false })).ProblemAsync(409, "webhook_token_exists");

        var refused = await (await api.GetAsync($"{Project}/syncs/{syncId}/refused?limit=10")).JsonAsync();
        Assert.Equal(0, refused.GetProperty("total").GetInt64());
        var reset = await (await api.PostAsync($"{Project}/quota/reset")).JsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, reset.GetProperty("downloads").GetProperty("exhaustedUntil").ValueKind);
        var dryRun = await (await api.PostAsync($"{Project}/syncs/{syncId}/reconcile?dryRun=true")).JsonAsync();
        Assert.Equal((0L, 0L), (dryRun.GetProperty("extra").GetInt64(), dryRun.GetProperty("missing").GetInt64()));

        await (await api.DeleteAsync($"{Project}/destinations/{destinationId}")).ProblemAsync(409, "destination_in_use");
        await (await api.PostAsync($"{Project}/syncs/{syncId}/stop?list=drop")).ProblemAsync(400, "invalid_argument");
        var stopped = await (await api.PostAsync($"{Project}/syncs/{syncId}/stop?list=empty")).JsonAsync();
        Assert.Equal("stopped", stopped.GetProperty("state").GetString());
        var emptied = await world.World.WaitForRunAsync("api-1", syncId, fromUpload.RunNumber + 1);
        Assert.Equal(("stop", ListOnStop.Empty, 5L), (emptied.Trigger, emptied.Stop, emptied.Counts.Removed));

        Assert.False((await (await api.PostAsync($"{Project}/disable")).JsonAsync()).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task A_held_run_is_approved_or_rejected_through_the_api()
    {
        var destinationId = await world.ProjectWithDestinationAsync("api-2");
        world.World.SetCohort("coh-held", "Held cohort", World.Users(0, 50));
        using var api = world.Client(world.WriteToken);
        var syncId = (await (await api.PostAsync("/api/v1/projects/api-2/syncs", new { cohortId = "coh-held", destinationId, cadence = "hourly" })).JsonAsync(201))
            .GetProperty("syncId").GetString()!;
        await world.World.WaitForRunAsync("api-2", syncId, 1);

        world.World.SetCohort("coh-held", "Held cohort", []);
        await api.PostAsync($"/api/v1/projects/api-2/syncs/{syncId}/run");
        Assert.Equal(Contracts.RunOutcome.Held, (await world.World.WaitForRunAsync("api-2", syncId, 2)).Outcome);
        var rejected = await (await api.PostAsync($"/api/v1/projects/api-2/syncs/{syncId}/reject")).JsonAsync();
        Assert.Equal("paused", rejected.GetProperty("state").GetString());
        await (await api.PostAsync($"/api/v1/projects/api-2/syncs/{syncId}/approve")).ProblemAsync(409, "invalid_state");

        await api.PostAsync($"/api/v1/projects/api-2/syncs/{syncId}/resume");
        await api.PostAsync($"/api/v1/projects/api-2/syncs/{syncId}/run");
        Assert.Equal(Contracts.RunOutcome.Held, (await world.World.WaitForRunAsync("api-2", syncId, 3)).Outcome);
        var approved = await (await api.PostAsync($"/api/v1/projects/api-2/syncs/{syncId}/approve")).JsonAsync();
        Assert.Equal("approved", approved.GetProperty("activeRun").GetProperty("trigger").GetString());
        var sent = await world.World.WaitForRunAsync("api-2", syncId, 4);
        Assert.Equal(50, sent.Counts.Removed);
    }
}
