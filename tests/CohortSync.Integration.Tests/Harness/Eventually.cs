using System.Diagnostics;

namespace CohortSync.Integration.Tests.Harness;

/// <summary>Waits for a condition the system reaches on its own (a run finishing), with a deadline and a clear failure.</summary>
public static class Eventually
{
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (value is not null) return value;
            if (clock.Elapsed > timeout) throw new TimeoutException($"gave up after {timeout.TotalSeconds:0}s waiting for {what}");
            await Task.Delay(50);
        }
    }
}
