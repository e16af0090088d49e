using System.Data.Common;
using System.Net;
using CohortSync.Amplitude;
using CohortSync.Contracts;
using CohortSync.Grains.Runs;
using CohortSync.Iterable.Errors;
using CohortSync.Sandbox.Iterable;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// Whatever a run meets, in whichever phase, it ends as a <see cref="RunFailure"/> of the right kind with a reason a
/// person reads: one line, short, no stack frames, even when the cause's message had them.
/// </summary>
public sealed class SyncRunnerFailureTests : IAsyncLifetime
{
    private const string StackFrame = "\n   at CohortSync.Somewhere.CallAsync() in /src/Somewhere.cs:line 42";

    private RunnerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await RunnerWorld.StartAsync();
        _world.Cohort.Members = Members.Range(0, 7);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Cohort_missing_from_Amplitude_fails_permanently_before_anything_is_downloaded()
    {
        _world.Cohort.Missing = true;

        var (failure, tally) = await FailingRunAsync();

        Assert.Equal((FailureKind.Permanent, RunPhase.ReadingCohort), (failure.Kind, tally.Phase));
        Assert.Contains($"cohort '{RunnerWorld.CohortId}' does not exist", failure.Message);
        Assert.Equal((0, 0), (_world.Permits.Entered, _world.Cohort.Reads));
        await AssertNothingSentOrWrittenAsync();
    }

    [Fact]
    public async Task Amplitude_unavailable_while_finding_the_cohort_fails_retryably_before_anything_is_downloaded()
    {
        _world.Cohort.FindFailure = new AmplitudeTransientException("timed out" + StackFrame);

        var (failure, tally) = await FailingRunAsync();

        Assert.Equal((FailureKind.Retryable, RunPhase.ReadingCohort), (failure.Kind, tally.Phase));
        Assert.Contains("Amplitude is unavailable (timed out)", failure.Message);
        Assert.Equal((0, 0), (_world.Permits.Entered, _world.Cohort.Reads));
        await AssertNothingSentOrWrittenAsync();
    }

    [Theory]
    [InlineData("transient", FailureKind.Retryable, "Amplitude is unavailable (HTTP 503)")]
    [InlineData("unreachable", FailureKind.Retryable, "cannot reach Amplitude (Connection refused (127.0.0.1:9))")]
    [InlineData("jobFailed", FailureKind.Retryable, "cohort job failed (cancelled)")]
    [InlineData("cohortGone", FailureKind.Permanent, $"cohort '{RunnerWorld.CohortId}' does not exist")]
    [InlineData("keyRejected", FailureKind.Permanent, "Amplitude rejected the project's API key")]
    public async Task Amplitude_failing_during_the_read_ends_the_run_and_gives_the_permit_back(string what, FailureKind kind, string reason)
    {
        _world.Cohort.ReadFailure = what switch
        {
            "transient" => new AmplitudeTransientException("HTTP 503" + StackFrame),
            "unreachable" => new HttpRequestException("Connection refused (127.0.0.1:9)" + StackFrame),
            "jobFailed" => new AmplitudeJobFailedException("r1", "cancelled"),
            "cohortGone" => new AmplitudeCohortNotFoundException(RunnerWorld.CohortId, "no such cohort" + StackFrame),
            _ => new AmplitudeAuthException("401 Unauthorized" + StackFrame),
        };

        var (failure, tally) = await FailingRunAsync();

        Assert.Equal((kind, RunPhase.ReadingCohort), (failure.Kind, tally.Phase));
        Assert.Contains(reason, failure.Message);
        Assert.Equal((1, 0), (_world.Permits.Entered, _world.Permits.Held));
        await AssertNothingSentOrWrittenAsync();
    }

    [Theory]
    [InlineData("", "it has no header row")]
    [InlineData("\"amplitude_id\",\"device_id\"\n\"1\",\"d1\"\n", "no column 'user_id'")]
    [InlineData("\"amplitude_id\",\"user_id\"\n\"1\",\"user-000\"\n\"2\",\"user-0", "ends inside a quoted field")]
    public async Task Malformed_cohort_file_fails_permanently_and_sends_nothing_to_Iterable(string file, string detail)
    {
        _world.Cohort.File = file;

        var (failure, tally) = await FailingRunAsync();

        Assert.Equal((FailureKind.Permanent, RunPhase.ReadingCohort), (failure.Kind, tally.Phase));
        Assert.Contains(detail, failure.Message);
        Assert.Contains("nothing was sent to Iterable", failure.Message);
        Assert.Equal(0, _world.Lists.Ensured);
        await AssertNothingSentOrWrittenAsync();
    }

    [Theory]
    [InlineData("cluster", FailureKind.Transient, "a silo of the cluster stopped answering")]
    [InlineData("iterableDown", FailureKind.Retryable, "Iterable is unavailable (Iterable get lists answered HTTP 503)")]
    [InlineData("refused", FailureKind.Retryable, "Iterable is unavailable (Iterable create list answered HTTP 400")]
    [InlineData("keyRejected", FailureKind.KeyRejected, RunFailures.KeyRejectedReason)]
    public async Task List_directory_failing_ends_the_run_before_anything_is_pushed(string what, FailureKind kind, string reason)
    {
        _world.Lists.Failure = what switch
        {
            "cluster" => new TimeoutException("Response did not arrive on time in 00:00:30" + StackFrame),
            "iterableDown" => new IterableTransientException("Iterable get lists answered HTTP 503." + StackFrame, HttpStatusCode.ServiceUnavailable),
            // While the list is being found, a refusal is Iterable's passing trouble, not the cohort's data.
            "refused" => new IterableRequestException("Iterable create list answered HTTP 400 (InvalidName)." + StackFrame, HttpStatusCode.BadRequest, "InvalidName", null),
            _ => RunFailures.KeyRejected(),
        };

        var (failure, tally) = await FailingRunAsync();

        Assert.Equal((kind, RunPhase.PreparingList), (failure.Kind, tally.Phase));
        Assert.Contains(reason, failure.Message);
        Assert.Empty(_world.ListsReady);
        await AssertNothingSentOrWrittenAsync();
    }

    [Fact]
    public async Task Iterable_rejecting_the_key_ends_the_run_as_key_rejected_with_nothing_journalled()
    {
        Assert.True(_world.Sandbox.Iterable.RevokeApiKey(_world.ClientKey));

        var (failure, tally) = await FailingRunAsync();

        Assert.Equal((FailureKind.KeyRejected, RunFailures.KeyRejectedReason, RunPhase.Pushing), (failure.Kind, failure.Message, tally.Phase));
        var call = Assert.Single(await _world.IterableCallsSinceAsync(0));
        Assert.Equal(401, call.Status);
        Assert.Equal(0, _world.Snapshots.Writes);
    }

    [Fact]
    public async Task Iterable_answering_5xx_beyond_the_retries_fails_retryably_with_nothing_journalled()
    {
        _world.Sandbox.Iterable.Faults = new IterableFaults { ServerErrorPercent = 100, ServerErrorStatus = 503 };

        var (failure, tally) = await FailingRunAsync();

        Assert.Equal((FailureKind.Retryable, RunPhase.Pushing), (failure.Kind, tally.Phase));
        Assert.StartsWith("Iterable is unavailable (", failure.Message);
        Assert.EndsWith("the next run continues from the checkpoint", failure.Message);
        var calls = await _world.IterableCallsSinceAsync(0);
        Assert.Equal(Enumerable.Repeat(503, 1 + RunnerWorld.IterableRetries), calls.Select(call => call.Status));
        Assert.Equal(0, _world.Snapshots.Writes);
    }

    [Fact]
    public async Task Iterable_answering_429_the_gate_gives_up_on_fails_retryably()
    {
        _world.Sandbox.Iterable.Faults = new IterableFaults { RateLimitPercent = 100 };

        var (failure, _) = await FailingRunAsync();

        Assert.Equal(FailureKind.Retryable, failure.Kind);
        Assert.Contains("429", failure.Message);
        Assert.Equal(429, Assert.Single(await _world.IterableCallsSinceAsync(0)).Status);
        Assert.Equal(0, _world.Snapshots.Writes);
    }

    [Theory]
    [InlineData("silo", "a silo of the cluster stopped answering")]
    [InlineData("database", "the database is unreachable (connection reset by peer)")]
    public async Task Append_failing_with_a_cluster_fault_beyond_the_retry_window_ends_transient(string what, string reason)
    {
        Exception fault = what == "silo" ? new TimeoutException("Response did not arrive on time" + StackFrame) : new BrokenConnectionException("connection reset by peer" + StackFrame);
        _world.Snapshots.FailAppends(2, fault);

        var (failure, tally) = await FailingRunAsync();

        Assert.Equal((FailureKind.Transient, RunOutcome.FailedRetryable, RunPhase.Pushing), (failure.Kind, failure.Outcome, tally.Phase));
        Assert.Contains(reason, failure.Message);
        Assert.EndsWith("the run resumes by itself from its checkpoint", failure.Message);
        // A zero window: the failing append was made once, not retried.
        Assert.Equal(2, _world.Snapshots.AppendAttempts);
        Assert.Equal(Members.Range(0, 3), _world.Snapshots.Current(RunnerWorld.SyncKey));
    }

    [Fact]
    public async Task Cluster_fault_that_clears_within_the_window_is_retried_and_the_run_succeeds()
    {
        _world.Options.ClusterRetryWindow = TimeSpan.FromSeconds(30);
        _world.Snapshots.FailAppends(2, new TimeoutException("Response did not arrive on time"), count: 2);

        var result = await _world.RunAsync();

        Assert.Equal(7L, result.SyncedCount);
        Assert.Equal(3 + 2, _world.Snapshots.AppendAttempts);
        // Only the journal write was made again; each batch went to Iterable once.
        Assert.Equal(3, (await _world.IterableCallsSinceAsync(0)).Count);
        Assert.Equal(Members.Range(0, 7), _world.ListMembers(result.ListId!.Value));
        Assert.Equal(Members.Range(0, 7), _world.Snapshots.Current(RunnerWorld.SyncKey));
    }

    private async Task<(RunFailure Failure, RunTally Tally)> FailingRunAsync()
    {
        var tally = new RunTally();
        var failure = await Assert.ThrowsAsync<RunFailure>(() => _world.RunAsync(tally));
        Assert.DoesNotContain('\n', failure.Message);
        Assert.DoesNotContain(" at ", failure.Message);
        Assert.InRange(failure.Message.Length, 1, RunFailures.MaxReason);
        return (failure, tally);
    }

    private async Task AssertNothingSentOrWrittenAsync()
    {
        Assert.Empty(await _world.IterableCallsSinceAsync(0));
        Assert.Equal(0, _world.Snapshots.Writes);
    }

    /// <summary>What a database driver throws when the connection breaks under a call.</summary>
    private sealed class BrokenConnectionException(string message) : DbException(message)
    {
        public override bool IsTransient => true;
    }
}
