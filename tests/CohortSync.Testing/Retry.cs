using System.Diagnostics;
using CohortSync.Contracts;

namespace CohortSync.Testing;

/// <summary>Grain calls while a cluster heals (a silo just died, calls to it time out): retried until a deadline.</summary>
public static class Retry
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Retries a call that failed because of the cluster; a refusal by a grain is not retried.</summary>
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

    /// <summary>Same as <see cref="Wait.UntilAsync(string, TimeSpan, Func{Task{ValueTuple{bool, string}}}, TimeSpan?)"/>, polled every half second unless told.</summary>
    public static Task UntilAsync(string what, TimeSpan timeout, Func<Task<(bool Done, string State)>> condition, TimeSpan? poll = null) =>
        Wait.UntilAsync(what, timeout, condition, poll ?? TimeSpan.FromMilliseconds(500));
}
