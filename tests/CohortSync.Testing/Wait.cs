using System.Diagnostics;

namespace CohortSync.Testing;

/// <summary>
/// Waits for a condition the system reaches on its own (a run finishing, a silo declared dead): polled until a
/// deadline, never slept on, and a failure that says what was awaited and what was last seen.
/// </summary>
public static class Wait
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls until <paramref name="condition"/> holds; the state it returns goes into the timeout's message.</summary>
    public static async Task UntilAsync(string what, TimeSpan timeout, Func<Task<(bool Done, string State)>> condition, TimeSpan? poll = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (done, state) = await condition();
            if (done) return;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"gave up after {timeout.TotalSeconds:0}s waiting for {what}{(state.Length == 0 ? "" : "; last seen: " + state)}");
            await Task.Delay(poll ?? DefaultPoll);
        }
    }

    /// <summary>Polls until <paramref name="probe"/> returns a value, and returns it.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null) where T : class
    {
        T? value = null;
        await UntilAsync(what, timeout ?? DefaultTimeout, async () => ((value = await probe()) is not null, ""));
        return value!;
    }

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(what, timeout ?? DefaultTimeout, async () => (await condition(), ""));
}
