using System.Diagnostics;

namespace CohortSync.Delivery.Tests.Harness;

/// <summary>Waits for a condition the system reaches on its own, with a deadline and a failure that says what was awaited.</summary>
public static class Wait
{
    public static async Task<T> ForAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null) where T : class
    {
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (value is not null) return value;
            if (clock.Elapsed > limit) throw new TimeoutException($"gave up after {limit.TotalSeconds:0}s waiting for {what}");
            await Task.Delay(50);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        await ForAsync<object>(async () => await condition() ? new object() : null, what, timeout);
}
