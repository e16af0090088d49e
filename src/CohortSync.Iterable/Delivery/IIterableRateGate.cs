namespace CohortSync.Iterable.Delivery;

/// <summary>What a call to Iterable does, as far as pacing is concerned.</summary>
public enum IterableCallKind
{
    Read,
    Write,
    /// <summary>getUsers and size: 5 requests a minute per Iterable project, paced apart from everything else.</summary>
    ListRead = 40,
}

/// <summary>
/// Paces one caller's requests to an Iterable project and decides what a 429 answer means. The list client
/// enters the gate before every request and reports every 429; the gate says whether to send the request again.
/// </summary>
public interface IIterableRateGate
{
    /// <summary>Waits until the caller may send one request.</summary>
    ValueTask EnterAsync(IterableCallKind kind, CancellationToken cancellationToken);

    /// <summary>
    /// Iterable answered 429 to attempt <paramref name="attempt"/> (1 for the first 429 of this request).
    /// Returns true to send the same request again (after entering the gate), false to give up.
    /// </summary>
    ValueTask<bool> RateLimitedAsync(IterableCallKind kind, TimeSpan? retryAfter, int attempt, CancellationToken cancellationToken);
}

/// <summary>No pacing and no 429 retries: every request goes at once and a 429 surfaces to the caller.</summary>
public sealed class UnpacedGate : IIterableRateGate
{
    public static UnpacedGate Instance { get; } = new();

    public ValueTask EnterAsync(IterableCallKind kind, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<bool> RateLimitedAsync(IterableCallKind kind, TimeSpan? retryAfter, int attempt, CancellationToken cancellationToken) =>
        ValueTask.FromResult(false);
}
