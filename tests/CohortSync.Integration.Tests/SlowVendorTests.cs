using CohortSync.Contracts;
using CohortSync.Integration.Tests.Harness;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Sandbox.Iterable;

namespace CohortSync.Integration.Tests;

/// <summary>
/// A vendor that takes its time holds up only the call that needs it: the project's other calls are answered while
/// a sync start waits for Amplitude or a destination update waits for Iterable. Ordering, not timing: the slow call is
/// shown to be still waiting after the others have answered.
/// </summary>
public sealed class SlowVendorTests
{
    private const int SlowAnswerMs = 10_000;

    [Fact]
    public async Task While_a_sync_start_waits_for_a_slow_Amplitude_project_show_and_destination_list_still_answer()
    {
        await using var scenario = await Scenario.StartAsync();
        var destination = await scenario.EnableWithDestinationAsync();
        scenario.SetCohort("coh-slow", "Slow cohort", Scenario.Users(0, 5));
        scenario.Sandbox.Amplitude.SetFaults(Scenario.AmplitudeKey, new AmplitudeFaults(LatencyMs: SlowAnswerMs));

        var start = scenario.Project.StartSyncAsync(new StartSyncRequest("coh-slow", destination, "once"));
        await Eventually.ValueAsync(() => Task.FromResult(scenario.Sandbox.Amplitude.HeldCalls > 0 ? "held" : null),
            TimeSpan.FromSeconds(30), "the sync start's cohort check to reach Amplitude");

        var project = await scenario.Project.GetAsync();
        var destinations = await scenario.Project.ListDestinationsAsync();
        var syncs = await scenario.Project.ListSyncsAsync();

        Assert.False(start.IsCompleted, "the start answered before project show: Amplitude was not slow enough to prove anything");
        Assert.True(scenario.Sandbox.Amplitude.HeldCalls > 0);
        Assert.Equal((Scenario.ProjectId, 1, 0), (project.ProjectId, destinations.Count, syncs.Count));

        // The start goes on to finish normally once Amplitude answers.
        scenario.Sandbox.Amplitude.SetFaults(Scenario.AmplitudeKey, new AmplitudeFaults());
        var started = await start;
        Assert.Equal("Slow cohort", started.CohortName);
    }

    [Fact]
    public async Task While_a_destination_update_waits_for_a_slow_Iterable_project_show_and_destination_list_still_answer()
    {
        await using var scenario = await Scenario.StartAsync();
        var destination = await scenario.EnableWithDestinationAsync();
        scenario.Sandbox.Iterable.AddApiKey("iterable-key-0002");
        scenario.Sandbox.Iterable.Faults = new IterableFaults { LatencyMs = SlowAnswerMs };

        var update = scenario.Project.UpdateDestinationAsync(destination, new UpdateDestinationRequest("iterable-key-0002"));
        await Eventually.ValueAsync(() => Task.FromResult(scenario.Sandbox.Iterable.HeldCalls > 0 ? "held" : null),
            TimeSpan.FromSeconds(30), "the destination update's key check to reach Iterable");
        var project = await scenario.Project.GetAsync();
        var destinations = await scenario.Project.ListDestinationsAsync();
        var shown = await scenario.Project.GetDestinationAsync(destination);

        Assert.False(update.IsCompleted, "the update answered before project show: Iterable was not slow enough to prove anything");
        Assert.True(scenario.Sandbox.Iterable.HeldCalls > 0);
        Assert.Equal((Scenario.ProjectId, 1, destination), (project.ProjectId, destinations.Count, shown.DestinationId));

        scenario.Sandbox.Iterable.Faults = IterableFaults.None;
        var updated = await update;
        Assert.Equal(destination, updated.DestinationId);
    }
}
