using System.Data.Common;
using Microsoft.Extensions.Options;

namespace CohortSync.Grains.Runs;

/// <summary>
/// Faults of the cluster itself, not of the run's work: a silo that died or is being declared dead, a message the
/// runtime rejected or timed out, a database connection that broke. A call that meets one is worth making again.
/// </summary>
public static class ClusterFaults
{
    // Matched by name: some are internal to Orleans, and all may arrive wrapped.
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "SiloUnavailableException", "OrleansMessageRejectionException", "ConnectionFailedException", "ConnectionAbortedException",
        "GatewayTooBusyException", "ClientNotAvailableException", "OrleansLifecycleCanceledException",
    };

    public static bool IsTransient(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is TimeoutException || ex is DbException { IsTransient: true } || Names.Contains(ex.GetType().Name)) return true;
            if (ex is AggregateException { InnerExceptions.Count: 1 } one) return IsTransient(one.InnerExceptions[0]);
        }
        return false;
    }

    /// <summary>
    /// Whether a call that failed ended because its token was cancelled: by cancellation itself, or by a cluster fault
    /// met after the cancel (a deactivating activation's calls fail as its silo's peer dies, not as cancelled calls).
    /// </summary>
    public static bool EndedByCancellation(Exception exception, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested && (exception is OperationCanceledException || IsTransient(exception));

    /// <summary>The database's own fault (connection refused or reset), as opposed to the cluster's messaging.</summary>
    public static bool IsDatabase(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
            if (ex is DbException) return true;
        return false;
    }
}

/// <summary>
/// Makes a call again, with backoff, while it fails for a cluster fault and the window (long enough to outlast a
/// silo's death declaration with production membership settings) is open; then lets the fault through.
/// </summary>
public sealed class ClusterRetry(IOptions<SyncEngineOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(5);

    public async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        var until = clock.GetUtcNow() + options.Value.ClusterRetryWindow;
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                return await call(ct);
            }
            catch (Exception ex) when (ClusterFaults.EndedByCancellation(ex, ct) && ex is not OperationCanceledException)
            {
                // Cancelled meanwhile: the caller asked to stop, and the fault is not its reason to.
                throw new OperationCanceledException("The call was cancelled while it met a cluster fault.", ex, ct);
            }
            catch (Exception ex) when (ClusterFaults.IsTransient(ex) && clock.GetUtcNow() + delay < until)
            {
                await Task.Delay(delay, clock, ct);
                delay = delay * 2 > LongestDelay ? LongestDelay : delay * 2;
            }
        }
    }

    public Task CallAsync(Func<CancellationToken, Task> call, CancellationToken ct) =>
        CallAsync(async token => { await call(token); return true; }, ct);
}
