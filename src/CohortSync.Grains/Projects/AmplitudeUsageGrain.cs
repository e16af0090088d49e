using CohortSync.Core.Scheduling;
using Orleans.Concurrency;

namespace CohortSync.Grains.Projects;

/// <summary>
/// A project's use of Amplitude's cohort downloads: counted per calendar month (UTC), and paced so the cluster
/// stays within Amplitude's limits for one project (a few downloads at once, so many per ten minutes).
/// Key: the project id.
/// </summary>
[Alias("cs.IAmplitudeUsageGrain")]
public interface IAmplitudeUsageGrain : IGrainWithStringKey
{
    /// <summary>One more download requested in the current month. One-way: a run does not wait for the count.</summary>
    [OneWay, Alias("CountDownload")] Task CountDownloadAsync();

    [Alias("GetThisMonth")] Task<DownloadCount> GetThisMonthAsync();

    /// <summary>
    /// A permit to download now, or null with how long to wait before asking again. A permit lapses after
    /// <see cref="DownloadLimits.Lease"/> unless renewed, so one held by a silo that died frees itself.
    /// </summary>
    [AlwaysInterleave, Alias("TryEnterDownload")] Task<DownloadPermit> TryEnterDownloadAsync(DownloadLimits limits);

    [AlwaysInterleave, Alias("RenewDownload")] Task RenewDownloadAsync(Guid permit, TimeSpan lease);

    [AlwaysInterleave, Alias("ExitDownload")] Task ExitDownloadAsync(Guid permit);
}

[GenerateSerializer, Immutable, Alias("cs.DownloadCount")]
public sealed record DownloadCount([property: Id(0)] string Month, [property: Id(1)] int Used);

/// <summary>At most <see cref="Concurrent"/> downloads at once and <see cref="PerWindow"/> started per <see cref="Window"/>; 0: no limit.</summary>
[GenerateSerializer, Immutable, Alias("cs.DownloadLimits")]
public sealed record DownloadLimits(
    [property: Id(0)] int Concurrent,
    [property: Id(1)] int PerWindow,
    [property: Id(2)] TimeSpan Window,
    [property: Id(3)] TimeSpan Lease);

/// <summary>Granted (<see cref="Id"/> set), or not yet (ask again after <see cref="RetryAfter"/>).</summary>
[GenerateSerializer, Immutable, Alias("cs.DownloadPermit")]
public sealed record DownloadPermit([property: Id(0)] Guid? Id, [property: Id(1)] TimeSpan RetryAfter);

[GenerateSerializer, Alias("cs.AmplitudeUsageState")]
public sealed class AmplitudeUsageState
{
    [Id(0)] public string Month { get; set; } = "";
    [Id(1)] public int Used { get; set; }
}

/// <summary>
/// The count is durable and kept apart from the project grain, so writing it rewrites one small row and not the
/// project's index of syncs. Permits live in memory: after a move they start afresh.
/// </summary>
public sealed class AmplitudeUsageGrain(
    [PersistentState("amplitude-usage", StorageNames.Main)] IPersistentState<AmplitudeUsageState> state,
    TimeProvider clock) : Grain, IAmplitudeUsageGrain
{
    private static readonly TimeSpan WriteEvery = TimeSpan.FromSeconds(5);
    private readonly Dictionary<Guid, DateTimeOffset> _permits = [];
    private readonly Queue<DateTimeOffset> _started = new();
    private bool _unwritten;
    private IGrainTimer? _writer;

    /// <summary>
    /// Counted at once, written at most every few seconds (and when the activation goes): a hundred runs of one
    /// project starting together cost one write, not a hundred. A silo that dies loses at most those seconds' counts.
    /// </summary>
    public Task CountDownloadAsync()
    {
        var month = DownloadQuota.MonthOf(clock.GetUtcNow());
        if (state.State.Month != month) (state.State.Month, state.State.Used) = (month, 0);
        state.State.Used++;
        _unwritten = true;
        _writer ??= this.RegisterGrainTimer(WriteAsync, new GrainTimerCreationOptions(WriteEvery, WriteEvery) { Interleave = false });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await WriteAsync();

    private async Task WriteAsync()
    {
        if (!_unwritten) return;
        _unwritten = false;
        try { await state.WriteStateAsync(); }
        catch { _unwritten = true; throw; }
    }

    public Task<DownloadCount> GetThisMonthAsync()
    {
        var month = DownloadQuota.MonthOf(clock.GetUtcNow());
        return Task.FromResult(new DownloadCount(month, state.State.Month == month ? state.State.Used : 0));
    }

    public Task<DownloadPermit> TryEnterDownloadAsync(DownloadLimits limits)
    {
        var now = clock.GetUtcNow();
        foreach (var lapsed in _permits.Where(p => p.Value <= now).Select(p => p.Key).ToList()) _permits.Remove(lapsed);
        while (_started.Count > 0 && _started.Peek() <= now - limits.Window) _started.Dequeue();

        if (limits.Concurrent > 0 && _permits.Count >= limits.Concurrent)
            return Task.FromResult(new DownloadPermit(null, TimeSpan.FromSeconds(1)));
        if (limits.PerWindow > 0 && _started.Count >= limits.PerWindow)
            return Task.FromResult(new DownloadPermit(null, _started.Peek() + limits.Window - now));

        var id = Guid.NewGuid();
        _permits[id] = now + limits.Lease;
        _started.Enqueue(now);
        return Task.FromResult(new DownloadPermit(id, TimeSpan.Zero));
    }

    public Task RenewDownloadAsync(Guid permit, TimeSpan lease)
    {
        if (_permits.ContainsKey(permit)) _permits[permit] = clock.GetUtcNow() + lease;
        return Task.CompletedTask;
    }

    public Task ExitDownloadAsync(Guid permit)
    {
        _permits.Remove(permit);
        return Task.CompletedTask;
    }
}
