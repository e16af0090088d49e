using System.Text;
using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>
/// Unreadable rows of a cohort file are unknown members, not absent ones, with the engine's default settings: the
/// case a new user met (a 3,000-member cohort whose next file had every third row with an extra field).
/// </summary>
public sealed class UnreadableRowsTests
{
    [Fact]
    public async Task Every_third_row_unreadable_after_two_good_batches_fails_the_run_and_unsubscribes_nobody()
    {
        await using var s = await World.StartAsync();
        var cohort = World.Users(0, 3000);
        s.SetCohort("coh-1", "Three thousand", cohort);
        var destination = await s.EnableWithDestinationAsync();
        var sync = await s.StartSyncAsync("coh-1", destination);
        var first = await s.WaitForRunAsync(sync.SyncId, 1);
        Assert.Equal(RunOutcome.Succeeded, first.Outcome);
        // 2,000 good rows (two batches of 1,000) before the first unreadable one.
        s.Sandbox.Amplitude.PutRaw(World.AmplitudeKey, "coh-1", "Three thousand", File(cohort, i => i >= 2000 && i % 3 == 0));
        var mark = s.LastRequestSequence;

        var broken = await s.RunAndWaitAsync(sync.SyncId);

        Assert.Equal(RunOutcome.FailedRetryable, broken.Outcome);
        Assert.StartsWith("333 of 3000 rows of the cohort file could not be read (more than 100); nothing was sent to Iterable", broken.Reason);
        Assert.Empty(s.IterableWritesSince(mark));
        var status = await s.Sync(sync.SyncId).GetStatusAsync();
        Assert.Equal(3000, status.SyncedCount);
        Assert.Equal(3000, s.ListMembers(status.ListId!.Value).Count);
    }

    [Fact]
    public async Task A_few_unreadable_rows_send_the_adds_and_hold_the_removals_for_a_clean_file()
    {
        await using var s = await World.StartAsync();
        s.SetCohort("coh-1", "Careful", World.Users(0, 1500));
        var destination = await s.EnableWithDestinationAsync();
        var sync = await s.StartSyncAsync("coh-1", destination);
        await s.WaitForRunAsync(sync.SyncId, 1);
        var next = World.Users(100, 1500);
        s.Sandbox.Amplitude.PutRaw(World.AmplitudeKey, "coh-1", "Careful", File(next, i => i % 500 == 7));
        var mark = s.LastRequestSequence;

        var careful = await s.RunAndWaitAsync(sync.SyncId);

        Assert.Equal(RunOutcome.Succeeded, careful.Outcome);
        Assert.Equal((3L, 100L, 0L), (careful.Counts.Malformed, careful.Counts.Added, careful.Counts.Removed));
        Assert.Equal(103L, careful.Counts.HeldRemovals);
        Assert.Contains("103 removals held", careful.Reason);
        Assert.DoesNotContain(s.IterableWritesSince(mark), write => write.Path == "/api/lists/unsubscribe");

        s.SetCohort("coh-1", "Careful", next);
        var clean = await s.RunAndWaitAsync(sync.SyncId);
        Assert.Equal((0L, 100L), (clean.Counts.HeldRemovals, clean.Counts.Removed));
        var status = await s.Sync(sync.SyncId).GetStatusAsync();
        Assert.Equal(next.Order(StringComparer.Ordinal), s.ListMembers(status.ListId!.Value).Order(StringComparer.Ordinal));
    }

    private static string File(IReadOnlyList<string> members, Func<int, bool> unreadable)
    {
        var csv = new StringBuilder("\"amplitude_id\",\"user_id\"\n");
        for (var i = 0; i < members.Count; i++)
            csv.Append($"\"{1000 + i}\",\"{members[i]}\"{(unreadable(i) ? ",\"stray\"" : "")}\n");
        return csv.ToString();
    }
}
