using CohortSync.Contracts;

namespace CohortSync.Grains.Runs;

/// <summary>How a failed run goes on: never by itself, at its next cadence slot, or soon through the guard reminder.</summary>
public enum FailureKind
{
    /// <summary>Bad input or configuration: the operator must act; the sync says why.</summary>
    Permanent = 1,
    /// <summary>A vendor was unavailable: the next run (or the guard, for a one-time sync) tries again from the checkpoint.</summary>
    Retryable = 2,
    /// <summary>The cluster or its database failed under the run: the guard resumes it within its period, whatever the cadence.</summary>
    Transient = 3,
    /// <summary>Iterable refused the destination's key: the destination is unhealthy and the sync pauses until a new key.</summary>
    KeyRejected = 4,
    /// <summary>Amplitude's monthly download quota is used up: not retried; downloads wait for the next month or a quota reset.</summary>
    QuotaExhausted = 5,
}

/// <summary>Ends a run with a recorded outcome and a reason an operator can act on (one sentence, no stack).</summary>
public sealed class RunFailure(FailureKind kind, string reason, Exception? cause = null) : Exception(reason, cause)
{
    public FailureKind Kind { get; } = kind;

    public RunOutcome Outcome => Kind is FailureKind.Retryable or FailureKind.Transient ? RunOutcome.FailedRetryable : RunOutcome.Failed;

    public static RunFailure Retryable(string reason) => new(FailureKind.Retryable, reason);

    public static RunFailure Permanent(string reason) => new(FailureKind.Permanent, reason);

    public static RunFailure Transient(string reason, Exception? cause = null) => new(FailureKind.Transient, reason, cause);
}
