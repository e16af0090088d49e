using System.Diagnostics;
using CohortSync.Contracts;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Iterable;
using CohortSync.Sandbox.RequestLogging;

namespace CohortSync.Testing.Chaos;

/// <summary>How long and how hard a <see cref="ChaosSoak"/> shakes the cluster.</summary>
public sealed record ChaosSoakOptions
{
    public int Syncs { get; init; } = 200;
    public int Silos { get; init; } = 3;
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A random silo is SIGKILLed and a new one started every this long, give or take <see cref="KillJitter"/>.</summary>
    public TimeSpan KillEvery { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan KillJitter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Kills the soak makes at least: it shakes past <see cref="Duration"/> (up to twice as long) until it has, since a
    /// loaded machine can stretch the restarts between kills beyond the time planned for them.
    /// </summary>
    public int MinimumKills { get; init; }

    /// <summary>Cohort sizes are spread evenly on a log scale between these.</summary>
    public int SmallestCohort { get; init; } = 10;

    public int LargestCohort { get; init; } = 200_000;

    /// <summary>Syncs take these cadences in turn. Only the first (the fastest) has cohorts that change during the soak.</summary>
    public IReadOnlyList<string> Cadences { get; init; } = ["1m", "5m", "once", "hourly"];

    /// <summary>How often the changing cohorts move on (a few members leave, more enter).</summary>
    public TimeSpan CohortChangeEvery { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The engine's guard period the silos run with (the final check allows a sync this long past its cadence).</summary>
    public TimeSpan GuardPeriod { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the end may take for every list to catch up once the faults stop.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromMinutes(4);

    public bool RestartPostgres { get; init; } = true;

    public Action<string> Log { get; init; } = _ => { };
}

/// <summary>What a soak found: the figures for docs/reliability.md and every broken promise.</summary>
public sealed record ChaosSoakReport(
    int Syncs,
    long Runs,
    int Kills,
    int PostgresRestarts,
    TimeSpan LongestBehind,
    long MembersResent,
    long Members,
    TimeSpan Elapsed,
    IReadOnlyList<string> Problems)
{
    public override string ToString() =>
        $"{Syncs} syncs, {Members:N0} members, {Runs} runs, {Kills} silo kills, {PostgresRestarts} PostgreSQL restarts, "
        + $"longest behind its cadence {LongestBehind.TotalSeconds:0} s, {MembersResent:N0} members re-sent, {Elapsed.TotalMinutes:0.0} min; "
        + (Problems.Count == 0 ? "no problem found" : $"{Problems.Count} problems: {string.Join(" | ", Problems.Take(10))}");
}

/// <summary>
/// Issue 8's chaos soak: silo processes on PostgreSQL, many syncs with mixed cadences and cohort sizes, an Iterable with
/// 10 % 5xx, bursts of 429 and 150 ms latency; every minute or so a random silo is SIGKILLed and replaced; once
/// PostgreSQL restarts. At the end every list must equal its cohort, no list exist twice, no member have been
/// unsubscribed while it was in its cohort, no reason be a stack trace, and every sync be within its cadence and the
/// guard period. Used by the bench harness (10 minutes) and by a shortened CI test.
/// </summary>
public sealed class ChaosSoak(ChaosSoakOptions options)
{
    private static readonly IterableFaults Stormy = new() { ServerErrorPercent = 10, ServerErrorStatus = 503, LatencyMs = 150, LatencyJitterMs = 50 };
    private const int Churn = 3;

    private readonly Dictionary<string, int> _cohortOf = [];
    private readonly Dictionary<int, int> _sizes = [];
    // Version v of a changing cohort is members [v * Churn, v * Churn + size + v * Churn): who leaves never comes back.
    private readonly List<(DateTimeOffset At, int Version)> _versions = [(DateTimeOffset.MinValue, 0)];
    private readonly Dictionary<string, DateTimeOffset> _lastSucceeded = [];
    private TimeSpan _longestBehind;
    private int _kills;
    private int _postgresRestarts;

    public static string CohortId(int i) => $"chaos-{i:D3}";

    public async Task<ChaosSoakReport> RunAsync(StorageUnderTest postgres)
    {
        var clock = Stopwatch.StartNew();
        await using var world = await World.StartAsync(new WorldOptions
        {
            Storage = postgres,
            Hosting = SiloHosting.Processes,
            Silos = options.Silos,
            // One project holds every sync: Amplitude's 60 downloads per 10 minutes would pace the soak, not test the cluster.
            SiloArgs = [$"--CohortSync:Engine:GuardPeriod={options.GuardPeriod:c}", "--CohortSync:Engine:AmplitudeDownloadsPerWindow=0"],
            Sandbox = new SandboxOptions { RequestLogCapacity = 5_000_000, MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Warning },
            ClientResponseTimeout = TimeSpan.FromSeconds(30),
        });
        var destination = await Retry.CallAsync(() => world.EnableWithDestinationAsync());
        for (var i = 0; i < options.Syncs; i++)
        {
            _sizes[i] = Size(i);
            world.SetCohort(CohortId(i), $"Chaos {i}", Members(i, 0));
        }
        foreach (var i in Enumerable.Range(0, options.Syncs))
        {
            // Guard off: a 10-member cohort that moves on by 3 a version loses every first member within four versions, and the
            // default guard rightly holds a run that removes every member; the soak is about faults, not about approvals.
            var sync = await Retry.CallAsync(() => world.Project.StartSyncAsync(
                new StartSyncRequest(CohortId(i), destination, Cadence(i)) { Guard = RemovalGuard.None }));
            _cohortOf[sync.SyncId] = i;
        }
        options.Log($"{options.Syncs} syncs started, {_sizes.Values.Sum():N0} members; shaking for {options.Duration.TotalMinutes:0.#} min");

        world.Iterable.Faults = Stormy;
        var end = DateTimeOffset.UtcNow + options.Duration;
        var nextKill = DateTimeOffset.UtcNow + NextKillIn();
        var nextChange = DateTimeOffset.UtcNow + options.CohortChangeEvery;
        var nextBurst = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        var postgresAt = options.RestartPostgres ? DateTimeOffset.UtcNow + options.Duration / 2 : DateTimeOffset.MaxValue;
        var latest = end + options.Duration;
        while (DateTimeOffset.UtcNow < end || _kills < options.MinimumKills && DateTimeOffset.UtcNow < latest)
        {
            var now = DateTimeOffset.UtcNow;
            // Past the planned end only to make the kills still owed: the next one comes at once.
            if (now >= nextKill || now >= end)
            {
                await KillOneAsync(world);
                nextKill = DateTimeOffset.UtcNow + NextKillIn();
            }
            if (now >= nextChange)
            {
                ChangeCohorts(world);
                nextChange = now + options.CohortChangeEvery;
            }
            if (now >= nextBurst)
            {
                world.Iterable.Faults = Stormy with { RateLimitBurst = 30, RetryAfterSeconds = 1 };
                nextBurst = now + TimeSpan.FromSeconds(45);
            }
            if (now >= postgresAt)
            {
                options.Log("restarting PostgreSQL");
                await postgres.PostgresFixture.Server.StopAsync();
                await Task.Delay(TimeSpan.FromSeconds(5));
                await postgres.PostgresFixture.Server.StartAsync();
                _postgresRestarts++;
                postgresAt = DateTimeOffset.MaxValue;
            }
            await ObserveAsync(world);
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        world.Iterable.Faults = IterableFaults.None;
        var settledFrom = DateTimeOffset.UtcNow;
        options.Log("faults off; waiting for every list to catch up");
        var problems = new List<string>();
        try
        {
            await Wait.UntilAsync("every sync to catch up after the soak", options.SettleTimeout, async () =>
            {
                var behind = new List<string>();
                foreach (var (syncId, i) in _cohortOf)
                {
                    var status = await Retry.CallAsync(() => world.Sync(syncId).GetStatusAsync());
                    if (!Settled(world, status, i, settledFrom))
                        behind.Add($"{syncId} ({Cadence(i)}, {_sizes[i]} members): {status.State}, active run {status.ActiveRun?.RunNumber} {status.ActiveRun?.Phase}, "
                            + $"last {status.LastRun?.Outcome} {status.LastRun?.Reason}");
                }
                return (behind.Count == 0, $"{behind.Count} behind, e.g. {behind.FirstOrDefault()}");
            }, TimeSpan.FromSeconds(3));
        }
        catch (TimeoutException ex)
        {
            problems.Add(ex.Message);
        }

        await ObserveAsync(world);
        var runs = 0L;
        var cohortOfList = new Dictionary<long, int>();
        foreach (var (syncId, i) in _cohortOf)
        {
            var status = await Retry.CallAsync(() => world.Sync(syncId).GetStatusAsync());
            if (status.ListId is { } known) cohortOfList[known] = i;
            var history = await Retry.CallAsync(() => world.Sync(syncId).GetHistoryAsync(1000));
            runs += history.Count == 0 ? 0 : history.Max(r => r.RunNumber);
            foreach (var reason in history.Select(r => r.Reason).OfType<string>().Where(r => r.Length > 200 || r.Contains(" at ", StringComparison.Ordinal)))
                problems.Add($"{syncId}: a reason is not a sentence: {reason[..Math.Min(120, reason.Length)]}");
            if (status.ListId is { } listId && !world.ListMembers(listId).Order(StringComparer.Ordinal).SequenceEqual(Members(i, Changing(i) ? CurrentVersion : 0).Order(StringComparer.Ordinal)))
                problems.Add($"{syncId}: list {listId} is not its cohort");
            if (Recurring(i) && _lastSucceeded.TryGetValue(syncId, out var ok) && DateTimeOffset.UtcNow - ok > Period(i) + options.GuardPeriod + TimeSpan.FromSeconds(30))
                problems.Add($"{syncId}: last successful run {(DateTimeOffset.UtcNow - ok).TotalSeconds:0} s ago, cadence {Cadence(i)}");
        }
        problems.AddRange(world.Iterable.GetLists(World.IterableKey).GroupBy(l => l.Name).Where(g => g.Count() > 1).Select(g => $"list '{g.Key}' exists {g.Count()} times"));
        var log = world.Sandbox.Requests.Snapshot();
        problems.AddRange(WrongUnsubscribes(cohortOfList, log));
        var subscribed = log.Where(e => e.Path == "/api/lists/subscribe" && e.Status == 200).SelectMany(e => (e.UserIds ?? []).Select(id => (e.ListId, id))).ToList();
        return new ChaosSoakReport(options.Syncs, runs, _kills, _postgresRestarts, _longestBehind, subscribed.Count - subscribed.Distinct().Count(),
            _sizes.Values.Sum(), clock.Elapsed, problems);
    }

    private int CurrentVersion => _versions[^1].Version;

    private string Cadence(int i) => options.Cadences[i % options.Cadences.Count];

    private bool Changing(int i) => i % options.Cadences.Count == 0;

    private bool Recurring(int i) => Contracts.Cadence.Parse(Cadence(i)).IsRecurring;

    private TimeSpan Period(int i) => Contracts.Cadence.Parse(Cadence(i)).Period;

    private int Size(int i) => options.Syncs == 1
        ? options.SmallestCohort
        : (int)Math.Round(options.SmallestCohort * Math.Pow((double)options.LargestCohort / options.SmallestCohort, (double)i / (options.Syncs - 1)));

    private IEnumerable<string> Members(int i, int version) =>
        Enumerable.Range(version * Churn, _sizes[i] + version * Churn).Select(j => $"c{i:D3}-u{j:D7}");

    private TimeSpan NextKillIn() => options.KillEvery + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * options.KillJitter.TotalMilliseconds);

    private async Task KillOneAsync(World world)
    {
        var live = world.Silos.Where(s => !s.Killed && !s.Crashed).ToList();
        var victim = live[Random.Shared.Next(live.Count)];
        options.Log($"SIGKILL {victim.Name}");
        victim.Kill();
        _kills++;
        await world.AddSiloAsync();
    }

    private void ChangeCohorts(World world)
    {
        var version = CurrentVersion + 1;
        for (var i = 0; i < options.Syncs; i++)
            if (Changing(i)) world.SetCohort(CohortId(i), $"Chaos {i}", Members(i, version));
        _versions.Add((DateTimeOffset.UtcNow, version));
    }

    private async Task ObserveAsync(World world)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (syncId, i) in _cohortOf)
        {
            SyncInfo status;
            try { status = await world.Sync(syncId).GetStatusAsync(); }
            catch (Exception) { continue; } // a silo is being replaced: look again on the next round
            if (status.LastRun is { Outcome: RunOutcome.Succeeded, FinishedAt: { } finished }) _lastSucceeded[syncId] = finished;
            if (Recurring(i) && _lastSucceeded.TryGetValue(syncId, out var ok))
            {
                var behind = now - ok - Period(i);
                if (behind > _longestBehind) _longestBehind = behind;
            }
        }
    }

    private bool Settled(World world, SyncInfo status, int i, DateTimeOffset settledFrom)
    {
        if (status.ActiveRun is not null || status.LastRun is not { Outcome: RunOutcome.Succeeded } last || status.ListId is not { } listId) return false;
        // A changing cohort must have been read after its last change; the others only need to be exact.
        if (Changing(i) && last.StartedAt < _versions[^1].At) return false;
        return world.ListMembers(listId).Count == Members(i, Changing(i) ? CurrentVersion : 0).Count();
    }

    /// <summary>Unsubscribes of a member that was still in its cohort at the time (the version in force when Iterable got the request).</summary>
    private IEnumerable<string> WrongUnsubscribes(Dictionary<long, int> cohortOfList, IReadOnlyList<RequestLogEntry> log)
    {
        foreach (var entry in log.Where(e => e.Path == "/api/lists/unsubscribe" && e.Status == 200 && e.ListId is not null))
        {
            if (!cohortOfList.TryGetValue(entry.ListId!.Value, out var i)) continue;
            var version = _versions.Last(v => v.At <= entry.Time).Version;
            var firstStillIn = version * Churn;
            foreach (var id in entry.UserIds ?? [])
            {
                var j = int.Parse(id.AsSpan(id.IndexOf("-u", StringComparison.Ordinal) + 2), System.Globalization.CultureInfo.InvariantCulture);
                if (!Changing(i) || j >= firstStillIn) yield return $"{id} was unsubscribed from list {entry.ListId} at {entry.Time:HH:mm:ss} while in cohort {CohortId(i)} (version {version})";
            }
        }
    }
}
