using CohortSync.Contracts;
using CohortSync.Sandbox;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>
/// Reconcile from Iterable's view on a real silo against the sandbox's strict getUsers and size (5 a minute per
/// project, 429 beyond): a list found by name on a first run, drift made by hand, the dry run, the removal guard, and
/// the cluster-wide pacing of list reads.
/// </summary>
public abstract class ReconcileTests(StorageUnderTest storage)
{
    private const string ListName = "[Amplitude] Buyers";
    private const string GetUsers = "/api/lists/getUsers";

    // List reads paced faster than Iterable's 5 a minute so the tests take seconds; the sandbox allows the same.
    private static readonly string[] QuickReads = ["--CohortSync:Engine:IterableListReadsPerMinute=60"];

    private Task<World> StartAsync(string[]? siloArgs = null, SandboxOptions? sandbox = null) => World.StartAsync(new WorldOptions
    {
        Storage = storage,
        SiloArgs = siloArgs ?? QuickReads,
        Sandbox = sandbox ?? new SandboxOptions { IterableListReadsPerMinute = 60 },
    });

    private static IReadOnlyList<string> Sorted(IEnumerable<string> ids) => [.. ids.Order(StringComparer.Ordinal)];

    /// <summary>An hourly sync of the 100-member cohort "Buyers" whose first run filled its list.</summary>
    private static async Task<(string SyncId, long ListId, IReadOnlyList<string> Cohort)> SyncedBuyersAsync(World w)
    {
        var cohort = World.Users(0, 100);
        w.SetCohort("coh-1", "Buyers", cohort);
        var destination = await w.EnableWithDestinationAsync();
        var sync = await w.Project.StartSyncAsync(new StartSyncRequest("coh-1", destination, Cadence.Hourly));
        await w.WaitForRunAsync(sync.SyncId, 1);
        return (sync.SyncId, (await w.Sync(sync.SyncId).GetStatusAsync()).ListId!.Value, cohort);
    }

    /// <summary>Someone in Iterable's UI takes three members out and puts two others in.</summary>
    private static void DriftByHand(World w, long listId, IReadOnlyList<string> cohort)
    {
        w.Iterable.RemoveListMembers(World.IterableKey, listId, cohort.Take(3));
        w.Iterable.AddListMembers(World.IterableKey, listId, ["intruder-1", "intruder-2"]);
    }

    [Fact]
    public async Task A_pre_existing_list_with_extras_becomes_exactly_the_cohort_on_the_first_run()
    {
        await using var w = await StartAsync();
        var cohort = World.Users(0, 100);
        w.SetCohort("coh-1", "Buyers", cohort);
        // Made by hand before CohortSync: half the cohort, fifty members who are not in it, and an email.
        var listId = w.Iterable.CreateList(World.IterableKey, ListName);
        w.Iterable.AddListMembers(World.IterableKey, listId, [.. World.Users(50, 100), "someone@example.com"]);
        var destination = await w.EnableWithDestinationAsync();

        var sync = await w.Project.StartSyncAsync(new StartSyncRequest("coh-1", destination, Cadence.Hourly));
        var run = await w.WaitForRunAsync(sync.SyncId, 1);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(Sorted(cohort), Sorted(w.ListMembers(listId)));
        Assert.Equal((101L, 0L), (run.Counts.Extra, run.Counts.Missing));
        Assert.Equal((50L, 51L), (run.Counts.Added, run.Counts.Removed));
        var status = await w.Sync(sync.SyncId).GetStatusAsync();
        Assert.Equal((listId, 100L, false), (status.ListId!.Value, status.SyncedCount, status.ReconcilePending));
        Assert.Single(w.IterableRequestsSince(0), e => e.Path == GetUsers && e.Status == 200);

        // The synced set is the list now: the next plain run has nothing to send and reads no list.
        var mark = w.LastRequestSequence;
        var next = await w.RunAndWaitAsync(sync.SyncId);
        Assert.Equal((RunOutcome.Succeeded, (long?)null), (next.Outcome, next.Counts.Extra));
        Assert.Empty(w.IterableWritesSince(mark));
        Assert.DoesNotContain(w.IterableRequestsSince(mark), e => e.Path == GetUsers);
    }

    [Fact]
    public async Task Adopt_keep_only_adds_to_a_pre_existing_list()
    {
        await using var w = await StartAsync();
        var cohort = World.Users(0, 100);
        w.SetCohort("coh-1", "Buyers", cohort);
        var listId = w.Iterable.CreateList(World.IterableKey, ListName);
        var foreign = World.Users(0, 20, prefix: "foreign");
        w.Iterable.AddListMembers(World.IterableKey, listId, foreign);
        var destination = await w.EnableWithDestinationAsync();

        var sync = await w.Project.StartSyncAsync(new StartSyncRequest("coh-1", destination, Cadence.Hourly) { Adopt = ListAdoption.Keep });
        var run = await w.WaitForRunAsync(sync.SyncId, 1);

        Assert.Equal((RunOutcome.Succeeded, 100L, 0L, (long?)null), (run.Outcome, run.Counts.Added, run.Counts.Removed, run.Counts.Extra));
        Assert.Equal(Sorted(cohort.Concat(foreign)), Sorted(w.ListMembers(listId)));
        Assert.DoesNotContain(w.IterableRequestsSince(0), e => e.Path is GetUsers or "/api/lists/unsubscribe");
        Assert.Equal("keep", (await w.Sync(sync.SyncId).GetStatusAsync()).Adopt);
    }

    [Fact]
    public async Task Drift_made_by_hand_is_found_by_the_audit_and_repaired()
    {
        await using var w = await StartAsync([.. QuickReads, "--CohortSync:Engine:DriftAuditPeriod=00:00:02"]);
        var (syncId, listId, cohort) = await SyncedBuyersAsync(w);
        // An audit with nothing to find records so and starts nothing.
        var calm = await Wait.ForAsync(async () => (await w.Sync(syncId).GetStatusAsync()) is { LastDriftAuditAt: not null } s ? s : null,
            "a first drift audit");
        Assert.Contains("within the tolerance", calm.LastDriftAudit);
        Assert.Equal(1, calm.LastRun!.RunNumber);

        DriftByHand(w, listId, cohort);

        var repaired = await w.WaitForRunAsync(syncId, 2);

        Assert.Equal((RunOutcome.Succeeded, "drift"), (repaired.Outcome, repaired.Trigger));
        Assert.Equal((2L, 3L), (repaired.Counts.Extra, repaired.Counts.Missing));
        Assert.Equal((3L, 2L), (repaired.Counts.Added, repaired.Counts.Removed));
        Assert.Equal(Sorted(cohort), Sorted(w.ListMembers(listId)));
        var status = await w.Sync(syncId).GetStatusAsync();
        Assert.False(status.ReconcilePending);
        Assert.Contains(w.IterableRequestsSince(0), e => e.Path == $"/api/lists/{listId}/size" && e.Status == 200);
    }

    [Fact]
    public async Task A_sync_whose_runs_come_as_often_as_its_audits_has_one_reminder_and_audits_after_a_run()
    {
        // Runs every 2 s, audits every 3 s: the audit follows a run once it is due, on the cadence's own reminder.
        await using var w = await StartAsync([.. QuickReads, "--CohortSync:Engine:DriftAuditPeriod=00:00:03"]);
        var cohort = World.Users(0, 100);
        w.SetCohort("coh-1", "Buyers", cohort);
        var destination = await w.EnableWithDestinationAsync();
        var sync = await w.Project.StartSyncAsync(new StartSyncRequest("coh-1", destination, "2s"));
        var calm = await Wait.ForAsync(async () => (await w.Sync(sync.SyncId).GetStatusAsync()) is { LastDriftAuditAt: not null } s ? s : null,
            "a first drift audit");
        Assert.Contains("within the tolerance", calm.LastDriftAudit);
        // Before, every recurring sync had a drift-audit reminder beside its cadence.
        Assert.Equal(["cadence"], await w.ReminderNamesAsync(sync.SyncId));

        DriftByHand(w, calm.ListId!.Value, cohort);

        // A later audit finds the drift and the reconcile repairs it (whichever run it is: the drift's, or a cadence run after it).
        var repaired = await Wait.ForAsync(async () => (await w.HistoryAsync(sync.SyncId)).FirstOrDefault(r => r.Counts.Extra is not null),
            "a reconcile after the drift", TimeSpan.FromSeconds(60));
        Assert.Equal((RunOutcome.Succeeded, 2L, 3L), (repaired.Outcome, repaired.Counts.Extra, repaired.Counts.Missing));
        Assert.Equal(Sorted(cohort), Sorted(w.ListMembers(calm.ListId!.Value)));
    }

    [Fact]
    public async Task A_dry_run_reports_the_drift_and_sends_nothing_then_a_reconcile_repairs_it()
    {
        await using var w = await StartAsync();
        var (syncId, listId, cohort) = await SyncedBuyersAsync(w);
        DriftByHand(w, listId, cohort);
        var drifted = Sorted(w.ListMembers(listId));
        var mark = w.LastRequestSequence;

        var preview = await w.Sync(syncId).PreviewReconcileAsync();

        Assert.Equal((2L, 3L, 99L), (preview.Extra, preview.Missing, preview.Listed));
        Assert.Equal((3L, 2L), (preview.Adds, preview.Removes));
        Assert.Equal(["intruder-1", "intruder-2"], preview.SampleRemoves);
        Assert.Empty(w.IterableWritesSince(mark));
        Assert.Equal(drifted, Sorted(w.ListMembers(listId)));
        var status = await w.Sync(syncId).GetStatusAsync();
        Assert.Equal((1L, false), (status.LastRun!.RunNumber, status.ReconcilePending));

        await w.Sync(syncId).ReconcileAsync();
        var run = await w.WaitForRunAsync(syncId, 2);

        Assert.Equal((RunOutcome.Succeeded, "reconcile", 2L, 3L), (run.Outcome, run.Trigger, run.Counts.Extra, run.Counts.Missing));
        Assert.Equal(Sorted(cohort), Sorted(w.ListMembers(listId)));
    }

    [Fact]
    public async Task A_reconcile_that_would_remove_too_many_is_held_with_nothing_sent_and_approval_repairs_the_list()
    {
        await using var w = await StartAsync();
        var cohort = World.Users(0, 100);
        w.SetCohort("coh-1", "Buyers", cohort);
        var listId = w.Iterable.CreateList(World.IterableKey, ListName);
        var foreign = World.Users(0, 1200, prefix: "foreign");
        w.Iterable.AddListMembers(World.IterableKey, listId, foreign);
        var destination = await w.EnableWithDestinationAsync();

        var sync = await w.Project.StartSyncAsync(new StartSyncRequest("coh-1", destination, Cadence.Hourly));
        var held = await w.WaitForRunAsync(sync.SyncId, 1);

        Assert.Equal((RunOutcome.Held, 1200L, 0), (held.Outcome, held.Counts.PlannedRemoves, held.Counts.Requests));
        Assert.Empty(w.IterableWritesSince(0));
        Assert.Equal(Sorted(foreign), Sorted(w.ListMembers(listId)));

        await w.Sync(sync.SyncId).ApproveAsync();
        var sent = await w.WaitForRunAsync(sync.SyncId, 2);

        Assert.Equal((RunOutcome.Succeeded, 1200L, 100L), (sent.Outcome, sent.Counts.Removed, sent.Counts.Added));
        Assert.Equal(Sorted(cohort), Sorted(w.ListMembers(listId)));
    }

    [Fact]
    public async Task Several_reconciles_on_one_key_wait_for_list_reads_and_no_429_fails_a_run()
    {
        // Iterable allows two reads per four seconds here, the engine thinks sixty a minute: 429s must come, and be waited out.
        await using var w = await StartAsync(sandbox: new SandboxOptions { IterableListReadsPerMinute = 2, IterableListReadWindow = TimeSpan.FromSeconds(4) });
        var destination = await w.EnableWithDestinationAsync();
        var syncs = new List<(string SyncId, IReadOnlyList<string> Cohort)>();
        for (var i = 0; i < 4; i++)
        {
            var cohort = World.Users(i * 100, 50);
            w.SetCohort($"coh-{i}", $"Buyers {i}", cohort);
            var sync = await w.Project.StartSyncAsync(new StartSyncRequest($"coh-{i}", destination, Cadence.Hourly));
            await w.WaitForRunAsync(sync.SyncId, 1);
            var listId = (await w.Sync(sync.SyncId).GetStatusAsync()).ListId!.Value;
            w.Iterable.AddListMembers(World.IterableKey, listId, [$"intruder-{i}"]);
            syncs.Add((sync.SyncId, cohort));
        }
        var mark = w.LastRequestSequence;

        await Task.WhenAll(syncs.Select(s => w.Sync(s.SyncId).ReconcileAsync()));
        var runs = await Task.WhenAll(syncs.Select(s => w.WaitForRunAsync(s.SyncId, 2, TimeSpan.FromMinutes(2))));

        Assert.All(runs, run => Assert.Equal((RunOutcome.Succeeded, 1L, 1L), (run.Outcome, run.Counts.Extra, run.Counts.Removed)));
        foreach (var (syncId, cohort) in syncs)
            Assert.Equal(Sorted(cohort), Sorted(w.ListMembers((await w.Sync(syncId).GetStatusAsync()).ListId!.Value)));
        var reads = w.IterableRequestsSince(mark).Where(e => e.Path == GetUsers).ToList();
        Assert.Equal(4, reads.Count(e => e.Status == 200));
        Assert.Contains(reads, e => e.Status == 429);
    }
}

[Collection(nameof(SiloCollection))]
public sealed class ReconcileTestsOnSqlite() : ReconcileTests(StorageUnderTest.Sqlite);

[Collection(nameof(SiloCollection))]
public sealed class ReconcileTestsOnPostgres(PostgresFixture postgres) : ReconcileTests(StorageUnderTest.Postgres(postgres));
