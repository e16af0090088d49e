namespace CohortSync.Amplitude;

/// <summary>HTTP behaviour of the Amplitude client. Tests shrink the delays to milliseconds.</summary>
public sealed class AmplitudeClientOptions
{
    /// <summary>Name of the HttpClient registered by <c>AddAmplitudeClient</c>.</summary>
    public const string HttpClientName = "amplitude";

    /// <summary>Retries after the first attempt for 5xx, 408, 429, timeouts and connection failures; 0 disables.</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>First backoff delay; it doubles per attempt, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound on one backoff, including a server's Retry-After.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed per attempt until response headers arrive; a file body may stream for longer.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
