namespace CohortSync.Sandbox.Iterable;

/// <summary>
/// Misbehaviour the sandbox plays on Iterable's /api/lists endpoints. Set at start through
/// <see cref="SandboxOptions"/>, or at runtime with PUT /_admin/faults or <see cref="IterableSandbox.Faults"/>.
/// Setting faults restarts the bursts and the random sequence. A faulted request changes no state.
/// </summary>
public sealed record IterableFaults
{
    public static IterableFaults None { get; } = new();

    /// <summary>Apply the percentage and burst faults to writes only (POST and DELETE), not to reads.</summary>
    public bool WritesOnly { get; init; }

    /// <summary>Share of requests (0–100) answered 429.</summary>
    public double RateLimitPercent { get; init; }

    /// <summary>The next N requests are answered 429.</summary>
    public int RateLimitBurst { get; init; }

    /// <summary>Retry-After header on 429 answers, in seconds; null sends none (Iterable usually sends none).</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>429 body as plain text ("Rate limit exceeded. Please try again later.") instead of Iterable's JSON envelope.</summary>
    public bool PlainTextRateLimit { get; init; }

    /// <summary>Share of requests (0–100) answered with <see cref="ServerErrorStatus"/>.</summary>
    public double ServerErrorPercent { get; init; }

    /// <summary>The next N requests are answered with <see cref="ServerErrorStatus"/>.</summary>
    public int ServerErrorBurst { get; init; }

    public int ServerErrorStatus { get; init; } = 500;

    /// <summary>Added to every Iterable request before it is answered.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Up to this much more, drawn per request, so answers to requests in flight together come back out of order.</summary>
    public int LatencyJitterMs { get; init; }

    /// <summary>Per-project limit in requests per second (token bucket, one second of burst); 0 means none.</summary>
    public double RequestsPerSecondPerProject { get; init; }

    /// <summary>The first K subscribe calls to a list created through the API answer 400 invalidListId.</summary>
    public int NotReadySubscribesAfterCreate { get; init; }

    /// <summary>Seed for the percentage faults, so a run can be replayed; null draws a random seed.</summary>
    public int? Seed { get; init; }

    internal IEnumerable<string> Problems()
    {
        if (RateLimitPercent is < 0 or > 100 || ServerErrorPercent is < 0 or > 100)
        {
            yield return "percentages must be between 0 and 100";
        }

        if (RateLimitBurst < 0 || ServerErrorBurst < 0 || LatencyMs < 0 || LatencyJitterMs < 0 || NotReadySubscribesAfterCreate < 0 || RequestsPerSecondPerProject < 0)
        {
            yield return "counts, latency and rates must not be negative";
        }

        if (ServerErrorStatus is < 500 or > 599)
        {
            yield return "serverErrorStatus must be a 5xx status";
        }

        if (RetryAfterSeconds is < 0)
        {
            yield return "retryAfterSeconds must not be negative";
        }
    }
}
