using CohortSync.Cluster.Tests.Harness;
using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;
using Xunit.Abstractions;

namespace CohortSync.Cluster.Tests;

/// <summary>Three silo processes on one PostgreSQL database lose one of them to kill -9 while its syncs are writing.</summary>
[Collection(PostgresFixture.Collection)]
[Trait("Speed", "Slow")]
public sealed class FailoverTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Syncs = 90;
    private static readonly TimeSpan GuardPeriod = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Silo_killed_mid_run_loses_no_member_and_the_guard_resumes_its_runs_on_the_survivors_long_before_the_hourly_cadence()
    {
        // Batches of 5 give every run of v2 eight writes, one after another (one request in flight per run, so
        // overlapping writes to a list can only mean two runs: WriteLog). Hourly, as in production: nothing but the
        // guard and the in-run retry can finish a run within minutes of the kill.
        await using var cluster = await World.StartClusterAsync(postgres, silos: 3, "--CohortSync:Engine:BatchSize=5",
            "--CohortSync:Engine:RequestsInFlight=1", $"--CohortSync:Engine:GuardPeriod={GuardPeriod:c}");
        var fleet = new SyncFleet(cluster, Syncs);
        var destination = await cluster.EnableProjectAsync();
        fleet.SetCohorts(1);
        await fleet.StartAsync(destination, cadence: "hourly");
        await fleet.WaitForAllAsync("every first run to fill its list", TimeSpan.FromMinutes(4), s => fleet.IsExact(s, 1) && s.ActiveRun is null);

        // Slow Iterable down so the runs are still writing when the silo dies (8 writes of 1.5 s each).
        cluster.Sandbox.Iterable.Faults = new IterableFaults { LatencyMs = 1500 };
        fleet.SetCohorts(2);
        await Task.WhenAll(fleet.SyncIds.Select(id => Retry.CallAsync(() => cluster.Sync(id).RunNowAsync())));
        var inFlight = await RunsInFlight.FindAsync(cluster, fleet, atLeast: 3);
        var before = (await fleet.StatusesAsync()).ToDictionary(s => s.SyncId);
        var killed = DateTimeOffset.UtcNow;
        inFlight.Silo.Kill();

        await Retry.UntilAsync($"{inFlight.Silo.Name} to be declared dead", TimeSpan.FromSeconds(90), async () =>
        {
            var status = await cluster.MembershipStatusAsync(inFlight.Silo);
            return (status == 6, $"status {status}");
        });
        cluster.Sandbox.Iterable.Faults = IterableFaults.None;
        // Death declared; then a guard tick (one period) starts the resume, which sends what the checkpoint lacks.
        await fleet.WaitForAllAsync("every list exact, with no run left over", GuardPeriod + TimeSpan.FromSeconds(60),
            s => fleet.IsExact(s, 2) && s.ActiveRun is null && s.State == SyncState.Scheduled);

        Assert.Equal("", cluster.CrashReport());
        Assert.Empty(WriteLog.InterleavedWrites(cluster.Sandbox.Requests.Snapshot(), TimeSpan.FromMilliseconds(30)));
        var histories = await fleet.HistoriesAsync();
        var hosted = inFlight.Hosted.ToHashSet();
        var interrupted = new List<string>();
        foreach (var (id, runs) in histories)
        {
            foreach (var run in runs.Where(r => r.FinishedAt > killed))
            {
                var activeAtKill = run.StartedAt < killed;
                if (run.Outcome == RunOutcome.Succeeded)
                {
                    // A run on the dead silo cannot have finished after it died (a second of slack for the kill itself).
                    Assert.False(activeAtKill && hosted.Contains(id) && run.FinishedAt > killed.AddSeconds(1), $"sync {id} lived on {inFlight.Silo.Name}: run {Describe(run)}");
                    continue;
                }
                // Nothing else ends a run here: a grain or database call that met the dying silo was made again within
                // the run. Besides the dead silo's own runs, Orleans deactivates the survivors' activations that its
                // directory partition held (DirectoryFailure): those runs too are interrupted and resumed.
                Assert.True(run is { Outcome: RunOutcome.FailedRetryable } && activeAtKill && run.Reason!.StartsWith("interrupted", StringComparison.Ordinal),
                    $"sync {id}{(hosted.Contains(id) ? " lived on " + inFlight.Silo.Name : " on a survivor")}: run {Describe(run)}");
                // Resumed by the guard; only a cadence slot that came due meanwhile could have got there first.
                var next = runs.FirstOrDefault(r => r.RunNumber == run.RunNumber + 1);
                var cadenceDue = before[id].NextRunAt is { } slot && next?.StartedAt >= slot;
                Assert.True(next is { Outcome: RunOutcome.Succeeded } && (next.Trigger == "resume" || cadenceDue && next.Trigger == "cadence"),
                    $"sync {id}: after interrupted run {run.RunNumber} came {(next is null ? "nothing" : Describe(next))}");
                interrupted.Add(id);
            }
        }
        output.WriteLine($"interrupted and resumed: {interrupted.Count(hosted.Contains)} on {inFlight.Silo.Name}, {interrupted.Count(id => !hosted.Contains(id))} on the survivors");
        // The runs picked as far from done were all cut short and resumed: a resume happened, and was needed.
        Assert.Subset(interrupted.ToHashSet(), inFlight.Writing.Select(s => s.SyncId).ToHashSet());
        Assert.Empty(SyncFleet.UnreadableReasons(histories.Values.SelectMany(h => h)));
    }

    [Fact]
    public async Task Cadence_reminders_of_a_killed_silos_syncs_fire_on_the_survivors()
    {
        await using var cluster = await World.StartClusterAsync(postgres, silos: 3);
        var fleet = new SyncFleet(cluster, 30);
        var destination = await cluster.EnableProjectAsync();
        fleet.SetCohorts(1);
        await fleet.StartAsync(destination, cadence: "20s");
        await fleet.WaitForAllAsync("every first run to fill its list", TimeSpan.FromMinutes(3), s => fleet.IsExact(s, 1));
        var hosts = await Task.WhenAll(fleet.SyncIds.Select(async id => (Id: id, Host: await cluster.HostOfAsync(id))));
        var victim = hosts.Where(h => h.Host is not null).GroupBy(h => h.Host!).MaxBy(g => g.Count())!;

        victim.Key.Kill();
        await Retry.UntilAsync($"{victim.Key.Name} to be declared dead", TimeSpan.FromSeconds(90), async () =>
        {
            var status = await cluster.MembershipStatusAsync(victim.Key);
            return (status == 6, $"status {status}");
        });

        fleet.SetCohorts(2);
        var changed = DateTimeOffset.UtcNow;
        await fleet.WaitForAllAsync("a cadence run of every sync after the failover", TimeSpan.FromMinutes(2),
            s => fleet.IsExact(s, 2) && s.LastRun is { Trigger: "cadence" } run && run.StartedAt > changed);
        foreach (var (id, _) in victim)
        {
            var status = await cluster.StatusAsync(id);
            Assert.True(status.LastRun is { Trigger: "cadence", Outcome: RunOutcome.Succeeded } && status.LastRun.StartedAt > changed,
                $"sync {id} lived on {victim.Key.Name}: {SyncFleet.Describe(status)}");
        }
        Assert.Equal("", cluster.CrashReport());
    }

    private static string Describe(RunRecord run) =>
        $"{run.RunNumber} {run.Trigger} {run.StartedAt:HH:mm:ss.fff}–{run.FinishedAt:HH:mm:ss.fff} {run.Outcome} {run.Reason}";
}
