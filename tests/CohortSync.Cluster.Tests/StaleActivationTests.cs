using CohortSync.Cluster.Tests.Harness;
using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace CohortSync.Cluster.Tests;

/// <summary>
/// A silo frozen mid-run (SIGSTOP) is declared dead and its syncs are resumed elsewhere; then it wakes (SIGCONT) with
/// activations that still believe they own those syncs: a second activation of each, for as long as it lives.
/// </summary>
[Collection(PostgresFixture.Collection)]
[Trait("Speed", "Slow")]
public sealed class StaleActivationTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Syncs = 45;

    [Fact]
    public async Task Silo_frozen_mid_run_declared_dead_and_woken_leaves_every_list_and_synced_set_exact()
    {
        var (world, fleet, inFlight) = await FreezeSiloWithRunsInFlightAsync();
        await using var cluster = world;
        var frozen = inFlight.Silo;
        // Fast answers from here on: whatever the stale activations still try when they wake gets through at once.
        cluster.Sandbox.Iterable.Faults = IterableFaults.None;
        await fleet.WaitForAllAsync("every sync resumed elsewhere and its list exact", TimeSpan.FromMinutes(2),
            s => fleet.IsExact(s, 2) && s.ActiveRun is null && s.State == SyncState.Scheduled);
        var resumed = await fleet.HistoriesAsync();
        // Taken over by the guard (or by a cadence slot that came due meanwhile).
        foreach (var writing in inFlight.Writing)
            Assert.Contains(resumed[writing.SyncId], r => r.RunNumber == writing.ActiveRun!.RunNumber + 1 && r.Outcome == RunOutcome.Succeeded
                && (r.Trigger == "resume" || r.Trigger == "cadence" && r.StartedAt >= writing.NextRunAt));

        var woken = cluster.LastRequestSequence;
        var journalBefore = await JournalRowsAsync(cluster);
        var wokenAt = DateTimeOffset.UtcNow;
        frozen.Resume();
        // Orleans has a silo that finds itself declared dead end its own process; it must not take anyone with it.
        await Retry.UntilAsync($"{frozen.Name}, declared dead, to exit once woken", TimeSpan.FromSeconds(60),
            () => Task.FromResult((frozen.HasExited, "")));
        output.WriteLine($"{frozen.Name} exited with code {frozen.ExitCode} within {(DateTimeOffset.UtcNow - wokenAt).TotalSeconds:0.0}s of waking");

        // What the stale activations did between waking and exiting, for the record.
        var staleWrites = cluster.IterableWritesSince(woken).Where(World.IsMembershipWrite).ToList();
        var journalAfter = await JournalRowsAsync(cluster);
        output.WriteLine($"membership writes after waking: {staleWrites.Count} to {staleWrites.Select(w => w.ListId).Distinct().Count()} lists, the last "
            + $"{(staleWrites.Count == 0 ? "-" : (staleWrites[^1].Time - wokenAt).TotalSeconds.ToString("0.00"))}s after waking; journal rows before {journalBefore.Values.Sum()}, after {journalAfter.Values.Sum()}");
        foreach (var line in frozen.Output.Split('\n').Where(l => l.Contains("Could not record run") || l.Contains("InconsistentState") || l.Contains("FATAL") || l.Contains("declared dead", StringComparison.OrdinalIgnoreCase)).Take(20))
            output.WriteLine("  silo: " + line.TrimEnd());
        foreach (var write in staleWrites) output.WriteLine($"  {write.Path} list {write.ListId}: {write.UserIds?.Count} users, status {write.Status}");
        foreach (var (key, rows) in journalAfter) output.WriteLine($"  journal {key}: {rows} rows");

        var statuses = await fleet.StatusesAsync();
        Assert.All(statuses, s => Assert.True(fleet.IsExact(s, 2) && s.ActiveRun is null, SyncFleet.Describe(s)));
        // No member of a cohort was ever taken off its list (v1 to v2 drops only members v2 does not have).
        var cohortOfList = statuses.ToDictionary(s => s.ListId!.Value, s => SyncFleet.Members(fleet.IndexOf(s.SyncId), 2).ToHashSet());
        var wrongRemovals = cluster.Sandbox.Requests.Snapshot()
            .Where(e => e is { Method: "POST", Path: "/api/lists/unsubscribe", ListId: not null })
            .SelectMany(e => (e.UserIds ?? []).Where(cohortOfList[e.ListId!.Value].Contains).Select(u => $"list {e.ListId}: {u}"))
            .ToList();
        Assert.Empty(wrongRemovals);

        // Every synced set is what Iterable holds: a run of an unchanged cohort sends nothing.
        var quiet = cluster.LastRequestSequence;
        await RunEverySyncAsync(cluster, fleet);
        Assert.Empty(cluster.IterableWritesSince(quiet).Where(World.IsMembershipWrite).Select(e => $"{e.Path} list {e.ListId}: {string.Join(',', e.UserIds ?? [])}"));

        Assert.Equal("", string.Join("\n", cluster.Silos.Where(s => s != frozen && s.Crashed).Select(s => $"{s.Name}:\n{s.Output}")));
        Assert.Empty(SyncFleet.UnreadableReasons((await fleet.HistoriesAsync()).Values.SelectMany(h => h)));
    }

    [Fact]
    public async Task Woken_stale_activation_does_not_fold_away_members_the_new_owner_added()
    {
        var (world, fleet, inFlight) = await FreezeSiloWithRunsInFlightAsync();
        await using var cluster = world;
        var frozen = inFlight.Silo;
        cluster.Sandbox.Iterable.Faults = IterableFaults.None;
        await fleet.WaitForAllAsync("every sync resumed elsewhere and its list exact", TimeSpan.FromMinutes(2),
            s => fleet.IsExact(s, 2) && s.ActiveRun is null && s.State == SyncState.Scheduled);
        // The new owners deliver v3 (two more members each) while the stale runs still hold their v2 plan.
        fleet.SetCohorts(3);
        await RunEverySyncAsync(cluster, fleet);
        Assert.All(await fleet.StatusesAsync(), s => Assert.True(fleet.IsExact(s, 3), SyncFleet.Describe(s)));

        frozen.Resume();
        await Retry.UntilAsync($"{frozen.Name}, declared dead, to exit once woken", TimeSpan.FromSeconds(60),
            () => Task.FromResult((frozen.HasExited, "")));

        // The two members leave again: the synced set must still know they are on the list, whatever the stale runs did.
        fleet.SetCohorts(2);
        await RunEverySyncAsync(cluster, fleet);
        Assert.All(await fleet.StatusesAsync(), s => Assert.True(fleet.IsExact(s, 2), SyncFleet.Describe(s)));
        Assert.Equal("", string.Join("\n", cluster.Silos.Where(s => s != frozen && s.Crashed).Select(s => $"{s.Name}:\n{s.Output}")));
    }

    /// <summary>
    /// Three silos, <see cref="Syncs"/> hourly syncs filled with v1, then every sync running v2 against a slow Iterable;
    /// the silo with the most runs far from done is frozen and left frozen until the others declare it dead.
    /// </summary>
    private async Task<(World Cluster, SyncFleet Fleet, RunsInFlight InFlight)> FreezeSiloWithRunsInFlightAsync()
    {
        var cluster = await World.StartClusterAsync(postgres, silos: 3, "--CohortSync:Engine:BatchSize=5",
            "--CohortSync:Engine:RequestsInFlight=1", "--CohortSync:Engine:GuardPeriod=00:00:10");
        try
        {
            var fleet = new SyncFleet(cluster, Syncs);
            var destination = await cluster.EnableProjectAsync();
            fleet.SetCohorts(1);
            await fleet.StartAsync(destination, cadence: "hourly");
            await fleet.WaitForAllAsync("every first run to fill its list", TimeSpan.FromMinutes(3), s => fleet.IsExact(s, 1) && s.ActiveRun is null);

            cluster.Sandbox.Iterable.Faults = new IterableFaults { LatencyMs = 1500 };
            fleet.SetCohorts(2);
            await Task.WhenAll(fleet.SyncIds.Select(id => Retry.CallAsync(() => cluster.Sync(id).RunNowAsync())));
            var inFlight = await RunsInFlight.FindAsync(cluster, fleet, atLeast: 3);
            inFlight.Silo.Pause();
            await Retry.UntilAsync($"{inFlight.Silo.Name} to be declared dead", TimeSpan.FromSeconds(90), async () =>
            {
                var status = await cluster.MembershipStatusAsync(inFlight.Silo);
                return (status == 6, $"status {status}");
            });
            return (cluster, fleet, inFlight);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs every sync once more and waits until each of those runs has succeeded.</summary>
    private static async Task RunEverySyncAsync(World cluster, SyncFleet fleet)
    {
        var numbers = (await fleet.StatusesAsync()).ToDictionary(s => s.SyncId, s => s.LastRun?.RunNumber ?? 0);
        await Task.WhenAll(fleet.SyncIds.Select(id => Retry.CallAsync(() => cluster.Sync(id).RunNowAsync())));
        await fleet.WaitForAllAsync("one more run of every sync", TimeSpan.FromMinutes(2),
            s => s.ActiveRun is null && s.LastRun is { Outcome: RunOutcome.Succeeded } run && run.RunNumber > numbers[s.SyncId]);
    }

    /// <summary>Journal rows per sync key: a sync whose last run finished has none (compaction folds them away).</summary>
    private static async Task<Dictionary<string, long>> JournalRowsAsync(World cluster)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sync_key, count(*) FROM cohortsync_snapshot_journal GROUP BY sync_key";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, long>();
        while (await reader.ReadAsync()) rows[reader.GetString(0)] = reader.GetInt64(1);
        return rows;
    }
}
