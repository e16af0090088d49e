using CohortSync.Contracts;

namespace CohortSync.Grains.Runs;

/// <summary>Ends a run with a recorded outcome and a reason an operator can act on.</summary>
public sealed class RunFailure(RunOutcome outcome, string reason, bool keyRejected = false) : Exception(reason)
{
    public RunOutcome Outcome { get; } = outcome;

    /// <summary>Iterable refused the destination's key: the destination is unhealthy and the sync pauses.</summary>
    public bool KeyRejected { get; } = keyRejected;

    public static RunFailure Retryable(string reason) => new(RunOutcome.FailedRetryable, reason);

    public static RunFailure Permanent(string reason) => new(RunOutcome.Failed, reason);
}
