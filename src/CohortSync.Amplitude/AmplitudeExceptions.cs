namespace CohortSync.Amplitude;

/// <summary>
/// Base of every failure the Amplitude client reports. Messages never hold the secret key, and hold
/// at most the last four characters of the API key.
/// </summary>
public class AmplitudeException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>Amplitude refused the API key / secret key pair (401 or 403). Retrying will not help.</summary>
public sealed class AmplitudeAuthException(string message) : AmplitudeException(message);

/// <summary>The cohort (or the cohort request) does not exist for this project.</summary>
public sealed class AmplitudeCohortNotFoundException(string cohortOrRequestId, string message)
    : AmplitudeException(message)
{
    public string CohortOrRequestId { get; } = cohortOrRequestId;
}

/// <summary>Amplitude was unreachable, slow, throttling (429) or failing (5xx) even after the bounded retries.</summary>
public sealed class AmplitudeTransientException(string reason, Exception? innerException = null)
    : AmplitudeException($"Amplitude is unavailable for now: {reason}", innerException)
{
    /// <summary>Short cause for the run record, e.g. "HTTP 503" or "timed out".</summary>
    public string Reason { get; } = reason;
}

/// <summary>Amplitude's export job ended in a state other than completed.</summary>
public sealed class AmplitudeJobFailedException(string requestId, string status)
    : AmplitudeException($"Amplitude's cohort export job {requestId} ended with status '{status}'.")
{
    public string RequestId { get; } = requestId;
    public string Status { get; } = status;
}

/// <summary>
/// Amplitude refused a cohort download because the organisation's monthly download quota is used up. Not retried:
/// every attempt would be refused the same way until the month turns or the quota is raised.
/// </summary>
public sealed class AmplitudeQuotaExceededException(string message) : AmplitudeException(message)
{
    /// <summary>Whether an error body from Amplitude says the monthly download limit is reached (Amplitude does not document the status).</summary>
    public static bool IsQuotaRefusal(string? body) =>
        body is not null && body.Contains("monthly", StringComparison.OrdinalIgnoreCase)
        && (body.Contains("limit", StringComparison.OrdinalIgnoreCase) || body.Contains("quota", StringComparison.OrdinalIgnoreCase));
}
