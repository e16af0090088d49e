using System.Text;
using CohortSync.Grains.Runs;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// A row of the cohort file that cannot be read is an unknown member, not an absent one: too many fail the run with
/// nothing sent; a few let the adds through and hold every removal until a file is read cleanly.
/// </summary>
public sealed class UnreadableRowsTests : IAsyncLifetime
{
    private const string Subscribe = "/api/lists/subscribe";
    private const string Unsubscribe = "/api/lists/unsubscribe";

    private RunnerWorld _world = null!;

    public async Task InitializeAsync() => _world = await RunnerWorld.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Every_third_row_unreadable_after_several_good_batches_fails_the_run_and_sends_nothing()
    {
        _world.Options.MaxMalformedRows = 3;
        _world.Cohort.Members = Members.Range(0, 30);
        await _world.RunAsync();
        var listId = _world.ListId!.Value;
        var mark = _world.Mark();
        // Nine good rows first (three batches of three), so a run that pushed while still reading would have sent some.
        _world.Cohort.File = File(Members.Range(0, 30), unreadable: i => i >= 9 && i % 3 == 0);
        var tally = new RunTally();

        var failure = await Assert.ThrowsAsync<RunFailure>(() => _world.RunAsync(tally));

        Assert.Equal(FailureKind.Retryable, failure.Kind);
        Assert.StartsWith("7 of 30 rows of the cohort file could not be read (more than 3); nothing was sent to Iterable", failure.Message);
        Assert.Empty(await _world.IterableCallsSinceAsync(mark));
        Assert.Equal(Members.Range(0, 30), _world.ListMembers(listId));
        Assert.Equal(Members.Range(0, 30), _world.Snapshots.Current(RunnerWorld.SyncKey));
        Assert.Empty(_world.Snapshots.Journal(RunnerWorld.SyncKey));
    }

    [Fact]
    public async Task A_few_unreadable_rows_let_the_adds_through_and_hold_the_removals_until_a_clean_file()
    {
        _world.Cohort.Members = Members.Range(0, 20);
        await _world.RunAsync();
        var listId = _world.ListId!.Value;
        var mark = _world.Mark();
        // 0–4 left, 20–24 entered; the row of 10 cannot be read: 10 looks gone, but nobody can tell, so no removal is sent.
        var next = Members.Range(5, 25);
        _world.Cohort.File = File(next, unreadable: i => next[i] == "user-010");
        var tally = new RunTally();

        var result = await _world.RunAsync(tally);

        Assert.Equal(Members.Range(20, 25), await _world.SentSinceAsync(mark, Subscribe));
        Assert.Empty(await _world.SentSinceAsync(mark, Unsubscribe));
        var counts = tally.Snapshot();
        Assert.Equal((1L, 6L, 5L, 0L), (counts.Malformed, counts.HeldRemovals, counts.Added, counts.Removed));
        Assert.StartsWith("6 removals held: 1 row of the cohort file could not be read", result.Note);
        Assert.Equal(Members.Range(0, 25), _world.ListMembers(listId));
        Assert.Equal(Members.Range(0, 25), _world.Snapshots.Current(RunnerWorld.SyncKey));

        mark = _world.Mark();
        _world.Cohort.File = null;
        _world.Cohort.Members = next;
        tally = new RunTally();
        result = await _world.RunAsync(tally);

        Assert.Equal(Members.Range(0, 5), await _world.SentSinceAsync(mark, Unsubscribe));
        Assert.Empty(await _world.SentSinceAsync(mark, Subscribe));
        Assert.Equal((0L, 5L, null), (tally.Snapshot().HeldRemovals, tally.Snapshot().Removed, result.Note));
        Assert.Equal(next, _world.ListMembers(listId));
    }

    [Fact]
    public async Task Preview_of_a_file_with_an_unreadable_row_shows_no_removals()
    {
        _world.Cohort.Members = Members.Range(0, 10);
        await _world.RunAsync();
        var next = Members.Range(3, 12);
        _world.Cohort.File = File(next, unreadable: i => i == 0);

        var preview = await _world.PreviewAsync();

        Assert.Equal((2L, 0L, 1L), (preview.Adds, preview.Removes, preview.Read.Malformed));
    }

    /// <summary>Amplitude's CSV for <paramref name="members"/>, with an extra field on the rows <paramref name="unreadable"/> picks.</summary>
    private static string File(IReadOnlyList<string> members, Func<int, bool> unreadable)
    {
        var csv = new StringBuilder("\"amplitude_id\",\"user_id\"\n");
        for (var i = 0; i < members.Count; i++)
            csv.Append($"\"{1000 + i}\",\"{members[i]}\"{(unreadable(i) ? ",\"stray\"" : "")}\n");
        return csv.ToString();
    }
}
