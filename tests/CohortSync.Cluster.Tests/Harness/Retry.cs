using System.Diagnostics;
using CohortSync.Contracts;

namespace CohortSync.Cluster.Tests.Harness;

/// <summary>Grain calls and conditions while the cluster heals: retried or re-checked until a deadline, never slept on.</summary>
public static class Retry
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Retries a call that failed because of the cluster (a dead silo, a timeout); a refusal by a grain is not retried.</summary>
    public static async Task<T> CallAsync<T>(Func<Task<T>> call, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (ex is not CohortSyncException && clock.Elapsed < (timeout ?? CallTimeout))
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; on timeout fails with what was awaited and the last state seen.</summary>
    public static async Task UntilAsync(string what, TimeSpan timeout, Func<Task<(bool Done, string State)>> condition, TimeSpan? poll = null)
    {
        var clock = Stopwatch.StartNew();
        var state = "";
        while (clock.Elapsed < timeout)
        {
            (var done, state) = await condition();
            if (done) return;
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(500));
        }
        throw new TimeoutException($"gave up after {timeout.TotalSeconds:0}s waiting for {what}; last seen: {state}");
    }
}
