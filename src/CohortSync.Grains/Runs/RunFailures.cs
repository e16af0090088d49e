using CohortSync.Amplitude;
using CohortSync.Contracts;
using CohortSync.Core.Scheduling;
using CohortSync.Iterable.Errors;
using Orleans.Storage;

namespace CohortSync.Grains.Runs;

/// <summary>
/// The one place where what a run met (Amplitude, Iterable, the cluster, the database, a bug) becomes an outcome
/// and a reason: one line, at most <see cref="MaxReason"/> characters, saying what happened and what comes next.
/// Exception types and stacks go to the log only.
/// </summary>
public static class RunFailures
{
    public const int MaxReason = 200;

    /// <summary>The reason every paused sync of the destination shows; it says what to do.</summary>
    public const string KeyRejectedReason =
        "Iterable rejected the destination's API key (401 BadApiKey); give it a valid key with 'cohortsync destination update' and its syncs resume";

    public static RunFailure KeyRejected() => new(FailureKind.KeyRejected, KeyRejectedReason);

    /// <param name="phase">Where the run was: a transport failure while reading the cohort is Amplitude's, later Iterable's.</param>
    public static RunFailure From(Exception exception, RunPhase phase, string cohortId) => exception switch
    {
        RunFailure failure => failure,
        AmplitudeQuotaExceededException => AmplitudeDownloadGate.QuotaUsedUp(DownloadQuota.NextMonthStart(DateTimeOffset.UtcNow)),
        ListGoneException gone => RunFailure.Retryable(gone.Message),
        AmplitudeAuthException => RunFailure.Permanent("Amplitude rejected the project's API key / secret key; run 'cohortsync project enable' with the right ones"),
        AmplitudeCohortNotFoundException => RunFailure.Permanent($"cohort '{cohortId}' does not exist in the Amplitude project"),
        CohortFileFormatException ex => RunFailure.Permanent($"the cohort file could not be read ({Detail(ex)}); nothing was sent to Iterable"),
        AmplitudeJobFailedException ex => RunFailure.Retryable($"Amplitude's cohort job failed ({ex.Status}); the next run asks again"),
        AmplitudeTransientException ex => RunFailure.Retryable($"Amplitude is unavailable ({Detail(ex.Reason)}); the next run tries again"),
        HttpRequestException ex when phase is RunPhase.Starting or RunPhase.ReadingCohort or RunPhase.WaitingForSlot or RunPhase.WaitingForAmplitude => RunFailure.Retryable($"cannot reach Amplitude ({Detail(ex)}); the next run tries again"),
        InconsistentStateException => RunFailure.Permanent("another activation of this sync took over its run; this one stopped without writing"),
        _ when IterableFailures.Classify(exception) is { } kind => FromIterable(kind, exception, phase),
        _ when ClusterFaults.IsDatabase(exception) && ClusterFaults.IsTransient(exception) =>
            RunFailure.Transient($"the database is unreachable ({Detail(exception)}); the run resumes by itself from its checkpoint", exception),
        _ when ClusterFaults.IsTransient(exception) =>
            RunFailure.Transient("a silo of the cluster stopped answering; the run resumes by itself from its checkpoint", exception),
        _ => new RunFailure(FailureKind.Retryable, "an unexpected error stopped the run (details are in the silo's log); the next run tries again", exception),
    };

    private static RunFailure FromIterable(IterableFailureKind kind, Exception exception, RunPhase phase) => kind switch
    {
        IterableFailureKind.KeyRejected => KeyRejected(),
        IterableFailureKind.RateLimited => RunFailure.Retryable("Iterable kept answering 429 to one request; the next run continues from the checkpoint"),
        // While the list is being found, a refused request is Iterable's passing trouble, not the run's data.
        IterableFailureKind.Refused when phase != RunPhase.PreparingList => RunFailure.Permanent($"Iterable refused a batch: {Detail(exception)}"),
        _ => RunFailure.Retryable($"Iterable is unavailable ({Detail(exception)}); the next run continues from the checkpoint"),
    };

    /// <summary>A reason as a person reads it: one line, no longer than <see cref="MaxReason"/>.</summary>
    public static string Sentence(string reason)
    {
        var line = reason.ReplaceLineEndings(" ").Trim();
        return line.Length <= MaxReason ? line : line[..(MaxReason - 1)] + "…";
    }

    private static string Detail(Exception exception) => Detail(exception.Message);

    private static string Detail(string message)
    {
        var line = message.Split('\n', 2)[0].Trim().TrimEnd('.');
        return line.Length <= 100 ? line : line[..99] + "…";
    }
}
