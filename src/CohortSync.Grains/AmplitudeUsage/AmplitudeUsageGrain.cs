using CohortSync.Core.Scheduling;

namespace CohortSync.Grains.AmplitudeUsage;

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
        return Task.FromResult(new DownloadCount(month, state.State.Month == month ? state.State.Used : 0) { ExhaustedUntil = ExhaustedUntil() });
    }

    public async Task QuotaExhaustedAsync()
    {
        state.State.ExhaustedMonth = DownloadQuota.MonthOf(clock.GetUtcNow());
        _unwritten = true;
        await WriteAsync();
    }

    public async Task ResetQuotaAsync()
    {
        if (state.State.ExhaustedMonth is null) return;
        state.State.ExhaustedMonth = null;
        _unwritten = true;
        await WriteAsync();
    }

    /// <summary>The first instant of the next month (UTC) while this month's quota is used up; else null.</summary>
    private DateTimeOffset? ExhaustedUntil()
    {
        var now = clock.GetUtcNow();
        return state.State.ExhaustedMonth == DownloadQuota.MonthOf(now) ? DownloadQuota.NextMonthStart(now) : null;
    }

    public Task<DownloadPermit> TryEnterDownloadAsync(DownloadLimits limits, CancellationToken cancellationToken)
    {
        if (ExhaustedUntil() is { } until) return Task.FromResult(new DownloadPermit(null, TimeSpan.Zero) { ExhaustedUntil = until });
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
