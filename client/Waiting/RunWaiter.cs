using CohortSync.Client.Output;
using CohortSync.Contracts;

namespace CohortSync.Client.Waiting;

/// <summary>The sync has nothing running and nothing will run (paused, stopped or done) before a newer run finished.</summary>
public sealed class NothingToWaitForException(string message) : Exception(message);

/// <summary>The run did not finish within the timeout; it goes on in the cluster.</summary>
public sealed class WaitTimedOutException(string message) : Exception(message);

/// <summary>
/// Polls a sync's status until a run newer than a known one has finished. Polling suits a CLI
/// that an operator (or a script) waits on; the cluster does not push run completions to clients.
/// </summary>
public sealed class RunWaiter(TimeSpan pollInterval)
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Waits until the sync has no active run and its last run is numbered above <paramref name="afterRunNumber"/>
    /// (0 waits for the first run ever).
    /// </summary>
    public async Task<WaitedRun> WaitForRunAfterAsync(ICohortSyncGrain sync, long afterRunNumber, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        SyncInfo? seen = null;
        try
        {
            while (true)
            {
                var status = seen = await sync.GetStatusAsync().WaitAsync(deadline.Token);
                if (status.ActiveRun is null && status.LastRun is { } last && last.RunNumber > afterRunNumber)
                {
                    return new WaitedRun(status, last);
                }
                if (status.ActiveRun is null && status.State is SyncState.Paused or SyncState.Stopped or SyncState.Done)
                {
                    throw new NothingToWaitForException(
                        $"sync {status.SyncId} is {TextFormat.Word(status.State)} and has no run to wait for"
                        + (status.StateReason is null ? "" : $": {status.StateReason}"));
                }
                await Task.Delay(pollInterval, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WaitTimedOutException(
                $"no run finished within {TextFormat.Duration(timeout)}{LastSeen(seen)}; it goes on in the cluster (see 'cohortsync sync status')");
        }
    }

    // What the last answer said, so a timeout tells a slow run from one that never started or a sync that did not answer.
    private static string LastSeen(SyncInfo? status) => status switch
    {
        null => " (the sync did not answer)",
        { ActiveRun: { } run } => $" (run {run.RunNumber} is {TextFormat.Word(run.Phase)} since {TextFormat.Time(run.StartedAt)})",
        { LastRun: { } last } => $" (last run {last.RunNumber} {TextFormat.Word(last.Outcome)}, sync {TextFormat.Word(status.State)})",
        _ => $" (no run yet, sync {TextFormat.Word(status.State)})",
    };

    /// <summary>
    /// For <c>sync wait</c>: waits for the active run if there is one, else for the first run if there has
    /// been none; a sync that is idle after a run answers with that run at once.
    /// </summary>
    public async Task<WaitedRun> WaitForCurrentRunAsync(ICohortSyncGrain sync, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var status = await sync.GetStatusAsync().WaitAsync(cancellationToken);
        if (status.ActiveRun is null && status.LastRun is { } last) return new WaitedRun(status, last);
        var after = status.ActiveRun is { } active ? active.RunNumber - 1 : 0;
        return await WaitForRunAfterAsync(sync, after, timeout, cancellationToken);
    }
}
