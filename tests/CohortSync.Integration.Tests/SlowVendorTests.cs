using CohortSync.Contracts;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

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
        await using var world = await World.StartAsync();
        var destination = await world.EnableWithDestinationAsync();
        world.SetCohort("coh-slow", "Slow cohort", World.Users(0, 5));
        world.Sandbox.Amplitude.SetFaults(World.AmplitudeKey, new AmplitudeFaults(LatencyMs: SlowAnswerMs));

        var start = world.Project.StartSyncAsync(new StartSyncRequest("coh-slow", destination, "once"));
        await Wait.ForAsync(() => Task.FromResult(world.Sandbox.Amplitude.HeldCalls > 0 ? "held" : null), "the sync start's cohort check to reach Amplitude", TimeSpan.FromSeconds(30));

        var project = await world.Project.GetAsync();
        var destinations = await world.Project.ListDestinationsAsync();
        var syncs = await world.Project.ListSyncsAsync();

        Assert.False(start.IsCompleted, "the start answered before project show: Amplitude was not slow enough to prove anything");
        Assert.True(world.Sandbox.Amplitude.HeldCalls > 0);
        Assert.Equal((World.ProjectId, 1, 0), (project.ProjectId, destinations.Count, syncs.Count));

        // The start goes on to finish normally once Amplitude answers.
        world.Sandbox.Amplitude.SetFaults(World.AmplitudeKey, new AmplitudeFaults());
        var started = await start;
        Assert.Equal("Slow cohort", started.CohortName);
    }

    [Fact]
    public async Task While_a_destination_update_waits_for_a_slow_Iterable_project_show_and_destination_list_still_answer()
    {
        await using var world = await World.StartAsync();
        var destination = await world.EnableWithDestinationAsync();
        world.Sandbox.Iterable.AddApiKey("iterable-key-0002");
        world.Sandbox.Iterable.Faults = new IterableFaults { LatencyMs = SlowAnswerMs };

        var update = world.Project.UpdateDestinationAsync(destination, new UpdateDestinationRequest("iterable-key-0002"));
        await Wait.ForAsync(() => Task.FromResult(world.Sandbox.Iterable.HeldCalls > 0 ? "held" : null), "the destination update's key check to reach Iterable", TimeSpan.FromSeconds(30));
        var project = await world.Project.GetAsync();
        var destinations = await world.Project.ListDestinationsAsync();
        var shown = await world.Project.GetDestinationAsync(destination);

        Assert.False(update.IsCompleted, "the update answered before project show: Iterable was not slow enough to prove anything");
        Assert.True(world.Sandbox.Iterable.HeldCalls > 0);
        Assert.Equal((World.ProjectId, 1, destination), (project.ProjectId, destinations.Count, shown.DestinationId));

        world.Sandbox.Iterable.Faults = IterableFaults.None;
        var updated = await update;
        Assert.Equal(destination, updated.DestinationId);
    }
}
