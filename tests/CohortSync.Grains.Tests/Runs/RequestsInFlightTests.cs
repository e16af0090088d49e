using CohortSync.Grains.Runs;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// Several write requests in flight at once: each batch is journalled when its own answer comes, whatever the order,
/// and the checkpoint never claims a member Iterable has not acknowledged.
/// </summary>
public sealed class RequestsInFlightTests : IAsyncLifetime
{
    private const string Subscribe = "/api/lists/subscribe";

    private RunnerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await RunnerWorld.StartAsync();
        _world.Options.RequestsInFlight = 4;
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Answers_out_of_order_are_each_journalled_as_they_come()
    {
        // Four batches of three; the first is held back until the other three are journalled.
        _world.Cohort.Members = Members.Range(0, 12);
        var journalled = new List<string>();
        _world.Snapshots.OnAppend = (added, _) => { lock (journalled) journalled.AddRange(added); };
        async Task HoldTheFirst(int write)
        {
            if (write == 1) await UntilAsync(() => _world.Snapshots.Journal(RunnerWorld.SyncKey).Count == 3);
        }

        var result = await _world.RunAsync(null, HoldTheFirst, CancellationToken.None);

        // The first batch (user-000..002) was answered last, so it was journalled last.
        Assert.Equal(Members.Range(0, 3), journalled[^3..]);
        Assert.Equal(Members.Range(0, 12), journalled.Order(StringComparer.Ordinal));
        Assert.Equal(12L, result.SyncedCount);
        Assert.Equal(Members.Range(0, 12), _world.ListMembers(result.ListId!.Value));
        Assert.Equal(Members.Range(0, 12), _world.Snapshots.Current(RunnerWorld.SyncKey));
        Assert.Equal(4, (await _world.IterableCallsSinceAsync(0)).Count(call => call.Path == Subscribe));
    }

    [Fact]
    public async Task A_destination_with_a_concurrency_of_one_sends_each_write_after_the_previous_one_is_journalled()
    {
        // The engine allows four in flight; the destination asks for one.
        _world.DestinationConcurrency = 1;
        _world.Cohort.Members = Members.Range(0, 12);
        var journalledBefore = new List<int>();
        Task Note(int write)
        {
            journalledBefore.Add(_world.Snapshots.Journal(RunnerWorld.SyncKey).Count);
            return Task.CompletedTask;
        }

        var result = await _world.RunAsync(null, Note, CancellationToken.None);

        // Four batches of three, each sent only once the one before it was answered and journalled (one journal row each).
        Assert.Equal([0, 1, 2, 3], journalledBefore);
        Assert.Equal(Members.Range(0, 12), _world.ListMembers(result.ListId!.Value));
    }

    [Fact]
    public async Task A_run_stopped_with_requests_in_flight_checkpoints_only_acknowledged_members_and_the_next_run_sends_the_rest()
    {
        // Eight batches; the run is cancelled as the fifth goes out, with up to four in flight.
        _world.Cohort.Members = Members.Range(0, 24);
        using var stop = new CancellationTokenSource();
        Task StopAtTheFifth(int write)
        {
            if (write == 5) stop.Cancel();
            return Task.CompletedTask;
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _world.RunAsync(null, StopAtTheFifth, stop.Token));

        var listId = _world.ListId!.Value;
        var checkpoint = _world.Snapshots.Current(RunnerWorld.SyncKey);
        var onTheList = _world.ListMembers(listId);
        Assert.NotEmpty(checkpoint);
        Assert.True(checkpoint.Count < 24);
        Assert.All(checkpoint, member => Assert.Contains(member, onTheList));
        var mark = _world.Mark();

        var result = await _world.RunAsync();

        // Only what the checkpoint did not hold is sent again (a request cut off in flight may have reached Iterable: sent twice, harmless).
        var resent = await _world.SentSinceAsync(mark, Subscribe);
        Assert.Equal(Members.Range(0, 24).Except(checkpoint).Order(StringComparer.Ordinal), resent.Order(StringComparer.Ordinal));
        Assert.Equal(Members.Range(0, 24), _world.ListMembers(result.ListId!.Value));
        Assert.Equal(Members.Range(0, 24), _world.Snapshots.Current(RunnerWorld.SyncKey));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    public async Task Against_a_slow_jittery_Iterable_writes_in_flight_reach_but_never_exceed_the_concurrency_and_every_answer_is_journalled(int concurrency)
    {
        // 40 batches of three, each answered after 20–80 ms: answers come back out of order, with K waiting at a time.
        _world.DestinationConcurrency = concurrency;
        _world.Sandbox.Iterable.Faults = new CohortSync.Sandbox.Iterable.IterableFaults { LatencyMs = 20, LatencyJitterMs = 60 };
        _world.Cohort.Members = Members.Range(0, 120);
        var journalled = new List<string>();
        _world.Snapshots.OnAppend = (added, _) => { lock (journalled) journalled.AddRange(added); };
        _world.Sandbox.Iterable.ResetMostWritesInFlight();

        var result = await _world.RunAsync();

        Assert.InRange(_world.Sandbox.Iterable.MostWritesInFlight, 2, concurrency);
        Assert.Equal(40, (await _world.IterableCallsSinceAsync(0)).Count(call => call.Path == Subscribe));
        Assert.Equal(Members.Range(0, 120), journalled.Order(StringComparer.Ordinal));
        Assert.Equal(Members.Range(0, 120), _world.ListMembers(result.ListId!.Value));
        Assert.Equal(Members.Range(0, 120), _world.Snapshots.Current(RunnerWorld.SyncKey));
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition()) await Task.Delay(5, patience.Token);
    }
}
