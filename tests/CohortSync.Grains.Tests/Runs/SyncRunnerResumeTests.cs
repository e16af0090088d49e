using CohortSync.Grains.Runs;
using CohortSync.Sandbox.Iterable;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// A run cut short keeps every batch it journalled; the next run starts from there and sends only what the journal
/// lacks, and the list ends equal to the cohort.
/// </summary>
public sealed class SyncRunnerResumeTests : IAsyncLifetime
{
    private const string Subscribe = "/api/lists/subscribe";

    private RunnerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await RunnerWorld.StartAsync();
        // Batches of 3: user-000..002, 003..005, 006..008, 009.
        _world.Cohort.Members = Members.Range(0, 10);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Run_stopped_by_a_failing_append_resumes_with_only_what_the_journal_lacks()
    {
        _world.Snapshots.FailAppends(3, new TimeoutException("Response did not arrive on time"));
        var failure = await Assert.ThrowsAsync<RunFailure>(() => _world.RunAsync());
        Assert.Equal(FailureKind.Transient, failure.Kind);
        Assert.Equal(2, _world.Snapshots.Journal(RunnerWorld.SyncKey).Count);
        Assert.Equal(Members.Range(0, 6), _world.Snapshots.Current(RunnerWorld.SyncKey));
        // The third batch reached Iterable; only its journal entry was lost.
        Assert.Equal(Members.Range(0, 9), _world.ListMembers(_world.ListId!.Value));
        var mark = _world.Mark();

        var result = await _world.RunAsync();

        Assert.Equal(2, (await _world.IterableCallsSinceAsync(mark)).Count);
        Assert.Equal(Members.Range(6, 10), await _world.SentSinceAsync(mark, Subscribe));
        Assert.Equal((_world.ListId, 10L), (result.ListId, result.SyncedCount));
        Assert.Equal(Members.Range(0, 10), _world.ListMembers(result.ListId!.Value));
        Assert.Equal(Members.Range(0, 10), _world.Snapshots.Current(RunnerWorld.SyncKey));
    }

    [Fact]
    public async Task Run_stopped_by_Iterable_failing_resumes_from_the_acknowledged_batches()
    {
        void FailFromTheThirdWrite(int write)
        {
            if (write == 3) _world.Sandbox.Iterable.Faults = new IterableFaults { ServerErrorPercent = 100 };
        }
        var failure = await Assert.ThrowsAsync<RunFailure>(() => _world.RunAsync(beforeWrite: FailFromTheThirdWrite));
        Assert.Equal(FailureKind.Retryable, failure.Kind);
        Assert.Equal(Members.Range(0, 6), _world.Snapshots.Current(RunnerWorld.SyncKey));
        Assert.Equal(Members.Range(0, 6), _world.ListMembers(_world.ListId!.Value));
        _world.Sandbox.Iterable.Faults = IterableFaults.None;
        var mark = _world.Mark();

        var result = await _world.RunAsync();

        Assert.Equal(2, (await _world.IterableCallsSinceAsync(mark)).Count);
        Assert.Equal(Members.Range(6, 10), await _world.SentSinceAsync(mark, Subscribe));
        Assert.Equal(Members.Range(0, 10), _world.ListMembers(result.ListId!.Value));
        Assert.Equal(Members.Range(0, 10), _world.Snapshots.Current(RunnerWorld.SyncKey));
    }

    [Fact]
    public async Task A_run_that_lost_its_sync_to_another_activation_folds_nothing_and_leaves_its_journal_to_the_owner()
    {
        _world.OwnerLost = new Orleans.Storage.InconsistentStateException("ETag mismatch");

        var failure = await Assert.ThrowsAsync<RunFailure>(() => _world.RunAsync());

        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Contains("another activation", failure.Message);
        Assert.Equal(1, _world.OwnerChecks);
        // Every acknowledged batch is still in the journal for the owner's next run to fold; nothing was compacted.
        Assert.Equal(4, _world.Snapshots.Journal(RunnerWorld.SyncKey).Count);
        Assert.Equal(Members.Range(0, 10), _world.Snapshots.Current(RunnerWorld.SyncKey));
        _world.OwnerLost = null;
        var mark = _world.Mark();

        await _world.RunAsync();

        Assert.Empty(await _world.IterableCallsSinceAsync(mark));
        Assert.Empty(_world.Snapshots.Journal(RunnerWorld.SyncKey));
    }
}
