using CohortSync.Sandbox.Amplitude;

namespace CohortSync.Amplitude.Tests;

public sealed class AmplitudeCohortClientTests(AmplitudeSandboxFixture sandbox) : IClassFixture<AmplitudeSandboxFixture>
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(30);

    private static readonly AmplitudeMember[] ThreeMembers =
    [
        new(1, "alice", new Dictionary<string, string?> { ["email_hash"] = "h-alice" }),
        new(2, "bob", new Dictionary<string, string?> { ["email_hash"] = "h-bob" }),
        new(3, null, new Dictionary<string, string?> { ["email_hash"] = "h-anon" }),
    ];

    [Fact]
    public async Task Finds_a_listed_cohort_with_its_name_and_size()
    {
        var project = sandbox.NewProject();
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Power users", ThreeMembers);

        var cohort = await sandbox.ClientFor(project).FindCohortAsync("c-1");

        Assert.NotNull(cohort);
        Assert.Equal("Power users", cohort.Name);
        Assert.Equal(3, cohort.Size);
        Assert.False(cohort.Archived);
    }

    [Fact]
    public async Task An_unknown_cohort_is_absent_from_the_list_and_cannot_be_requested()
    {
        var project = sandbox.NewProject();
        var client = sandbox.ClientFor(project);

        Assert.Null(await client.FindCohortAsync("missing"));
        await Assert.ThrowsAsync<AmplitudeCohortNotFoundException>(() => client.RequestCohortAsync("missing", null));
    }

    [Fact]
    public async Task Export_polls_through_in_progress_then_downloads_the_file_through_a_gzipped_redirect()
    {
        var project = sandbox.NewProject(new AmplitudeProjectSettings { InProgressPolls = 3 });
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", ThreeMembers);

        var identities = await ExportAsync(sandbox.ClientFor(project), "c-1", null, "user_id");

        Assert.Equal(["alice", "bob"], identities);
        var request = Assert.Single(sandbox.Amplitude.GetRequests(project.ApiKey));
        Assert.Equal(4, request.StatusPolls); // three 202 "JOB INPROGRESS", then 200 "JOB COMPLETED"
        Assert.Equal(1, request.FileRequests);
        Assert.Equal(1, request.FilesServed);
        Assert.Equal(1, request.FilesGzipped);
        var log = sandbox.Server.Requests.Snapshot();
        Assert.Contains(log, e => e.Path == $"/api/5/cohorts/request/{request.RequestId}/file" && e.Status == 302);
        Assert.Contains(log, e => e.Path.StartsWith("/_files/", StringComparison.Ordinal) && e.Status == 200);
    }

    [Fact]
    public async Task Download_link_on_another_origin_is_followed_without_the_credentials()
    {
        // Same server, different origin: the sandbox's /_files refuses any request carrying Authorization, like S3.
        var otherOrigin = $"http://localhost:{sandbox.Server.BaseUrl.Port}";
        var project = sandbox.NewProject(new AmplitudeProjectSettings { FilesOrigin = otherOrigin });
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", ThreeMembers);

        var identities = await ExportAsync(sandbox.ClientFor(project), "c-1", null, "user_id");

        Assert.Equal(["alice", "bob"], identities);
        Assert.Equal(1, Assert.Single(sandbox.Amplitude.GetRequests(project.ApiKey)).FilesServed);
    }

    [Fact]
    public async Task Properties_are_requested_only_when_an_identity_property_is_mapped()
    {
        var project = sandbox.NewProject();
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", ThreeMembers);
        var client = sandbox.ClientFor(project);

        var byUserId = await ExportAsync(client, "c-1", null, "user_id");
        var byProperty = await ExportAsync(client, "c-1", "email_hash", "email_hash");

        Assert.Equal(["alice", "bob"], byUserId);
        Assert.Equal(["h-alice", "h-bob", "h-anon"], byProperty);
        var requests = sandbox.Amplitude.GetRequests(project.ApiKey);
        Assert.Equal("", requests[0].Query);
        Assert.False(requests[0].Props);
        Assert.Equal("?props=1&propKeys=email_hash", requests[1].Query);
        Assert.Equal(["email_hash"], requests[1].PropKeys);
    }

    [Fact]
    public async Task Wrong_secret_raises_an_auth_error_that_reveals_no_secret()
    {
        var project = sandbox.NewProject();
        const string wrongSecret = "wrong-secret-0123456789";
        var client = sandbox.ClientFor(project, wrongSecret);

        var error = await Assert.ThrowsAsync<AmplitudeAuthException>(() => client.FindCohortAsync("c-1"));

        Assert.DoesNotContain(wrongSecret, error.ToString());
        Assert.DoesNotContain(project.SecretKey, error.ToString());
        Assert.DoesNotContain(project.ApiKey, error.ToString());
        Assert.Contains(project.ApiKey[^4..], error.Message);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    public async Task Failed_downloads_are_retried_until_the_file_arrives(int status)
    {
        var project = sandbox.NewProject();
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", ThreeMembers);
        sandbox.Amplitude.SetFaults(project.ApiKey, new AmplitudeFaults(DownloadFailures: 2, DownloadFailureStatus: status));

        var identities = await ExportAsync(sandbox.ClientFor(project), "c-1", null, "user_id");

        Assert.Equal(["alice", "bob"], identities);
        var request = Assert.Single(sandbox.Amplitude.GetRequests(project.ApiKey));
        Assert.Equal(3, request.FileRequests);
        Assert.Equal(1, request.FilesServed);
    }

    [Fact]
    public async Task Downloads_failing_beyond_the_retry_budget_end_as_transient_after_bounded_attempts()
    {
        var project = sandbox.NewProject();
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", ThreeMembers);
        sandbox.Amplitude.SetFaults(project.ApiKey, new AmplitudeFaults(DownloadFailures: 100, DownloadFailureStatus: 502));
        var client = sandbox.ClientFor(project);
        var requestId = await client.RequestCohortAsync("c-1", null);
        await client.WaitUntilReadyAsync(requestId, Poll, JobTimeout);

        var error = await Assert.ThrowsAsync<AmplitudeTransientException>(() => client.OpenFileAsync(requestId));

        Assert.Contains("502", error.Reason);
        Assert.Equal(1 + AmplitudeSandboxFixture.MaxRetryAttempts, sandbox.Amplitude.GetRequests(project.ApiKey)[0].FileRequests);
    }

    [Fact]
    public async Task A_download_cut_off_is_either_retried_whole_or_reported_transient_never_anything_else()
    {
        // Whether the reset lands before the client read the headers (retried by the pipeline) or after
        // (surfaces while reading) is up to TCP; both are fine, any other outcome is not.
        var project = sandbox.NewProject();
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", ThreeMembers);
        sandbox.Amplitude.SetFaults(project.ApiKey, new AmplitudeFaults(AbortedDownloads: 1));

        var outcome = await Record.ExceptionAsync(async () =>
            Assert.Equal(["alice", "bob"], await ExportAsync(sandbox.ClientFor(project), "c-1", null, "user_id")));

        if (outcome is not null)
        {
            Assert.Contains("connection lost", Assert.IsType<AmplitudeTransientException>(outcome).Reason);
        }

        Assert.Contains(sandbox.Server.Requests.Snapshot(), e => e.Fault == "amplitude-download-aborted");
    }

    [Fact]
    public async Task A_failing_download_link_is_retried_from_amplitude_with_a_fresh_link()
    {
        var project = sandbox.NewProject();
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", ThreeMembers);
        sandbox.Amplitude.SetFaults(project.ApiKey, new AmplitudeFaults(LinkFailures: 2));

        var identities = await ExportAsync(sandbox.ClientFor(project), "c-1", null, "user_id");

        Assert.Equal(["alice", "bob"], identities);
        var request = Assert.Single(sandbox.Amplitude.GetRequests(project.ApiKey));
        Assert.Equal(3, request.FileRequests); // each retry went back to Amplitude, with credentials
        Assert.Equal(1, request.FilesServed);
    }

    [Fact]
    public async Task A_download_link_refusing_access_is_transient_not_a_credentials_problem()
    {
        var project = sandbox.NewProject();
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", ThreeMembers);
        sandbox.Amplitude.SetFaults(project.ApiKey, new AmplitudeFaults(LinkFailures: 1, LinkFailureStatus: 403));

        var error = await Assert.ThrowsAsync<AmplitudeTransientException>(
            () => ExportAsync(sandbox.ClientFor(project), "c-1", null, "user_id"));

        Assert.Contains("download link", error.Reason);
        Assert.Contains("403", error.Reason);
    }

    [Fact]
    public async Task A_failed_export_job_raises_job_failed_with_amplitudes_status()
    {
        var project = sandbox.NewProject();
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", ThreeMembers);
        sandbox.Amplitude.SetFaults(project.ApiKey, new AmplitudeFaults(FailingJobs: 1));
        var client = sandbox.ClientFor(project);
        var requestId = await client.RequestCohortAsync("c-1", null);

        var error = await Assert.ThrowsAsync<AmplitudeJobFailedException>(
            () => client.WaitUntilReadyAsync(requestId, Poll, JobTimeout));

        Assert.Equal("JOB FAILED", error.Status);
    }

    [Fact]
    public async Task An_export_that_never_completes_ends_as_transient_at_the_deadline()
    {
        var project = sandbox.NewProject(new AmplitudeProjectSettings { InProgressPolls = int.MaxValue });
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", ThreeMembers);
        var client = sandbox.ClientFor(project);
        var requestId = await client.RequestCohortAsync("c-1", null);

        var error = await Assert.ThrowsAsync<AmplitudeTransientException>(
            () => client.WaitUntilReadyAsync(requestId, Poll, TimeSpan.FromMilliseconds(200)));

        Assert.Contains(requestId, error.Message);
    }

    [Fact]
    public async Task An_export_keeps_the_members_of_the_moment_it_was_requested()
    {
        var project = sandbox.NewProject();
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", [new AmplitudeMember(1, "before")]);
        var client = sandbox.ClientFor(project);
        var earlier = await client.RequestCohortAsync("c-1", null);

        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", [new AmplitudeMember(2, "after")]);

        await client.WaitUntilReadyAsync(earlier, Poll, JobTimeout);
        Assert.Equal(["before"], await DownloadAsync(client, earlier, "user_id"));
        Assert.Equal(["after"], await ExportAsync(client, "c-1", null, "user_id"));
    }

    [Fact]
    public async Task A_malformed_cohort_file_fails_the_read_not_the_download()
    {
        var project = sandbox.NewProject();
        sandbox.Amplitude.PutRaw(project.ApiKey, "c-1", "Broken", "\"amplitude_id\",\"user_id\"\n\"1\",\"unterminated\n");

        await Assert.ThrowsAsync<CohortFileFormatException>(
            () => ExportAsync(sandbox.ClientFor(project), "c-1", null, "user_id"));
    }

    [Fact]
    public async Task A_generated_cohort_and_its_one_percent_churn_stream_with_exact_sizes()
    {
        var project = sandbox.NewProject();
        var spec = new GeneratedCohortSpec(Count: 200_000, Seed: 11, IdPrefix: "g-", MissingUserIdFraction: 0.05);
        var baseSize = sandbox.Amplitude.PutGenerated(project.ApiKey, "base", "Base", spec).Size;
        var churnSize = sandbox.Amplitude.PutGenerated(project.ApiKey, "churned", "Churned",
            spec with { RemoveFraction = 0.01, AddCount = 2_000 }).Size;
        var client = sandbox.ClientFor(project);

        var (baseResult, baseIds) = await ExportCountingAsync(client, "base");
        var (churnResult, churnIds) = await ExportCountingAsync(client, "churned");

        Assert.Equal(200_000, baseSize);
        Assert.Equal(baseSize, baseResult.Rows);
        Assert.Equal(churnSize, churnResult.Rows);
        Assert.Equal(baseResult.Rows, baseResult.Members + baseResult.EmptyIdentities);
        Assert.InRange(baseResult.EmptyIdentities, 9_000, 11_000); // ~5% without user_id
        var removed = baseIds.Except(churnIds).Count();
        var added = churnIds.Except(baseIds).Count();
        Assert.InRange(removed, 1_600, 2_200); // ~1% of the 95% that have a user_id
        Assert.InRange(added, 1_800, 2_000); // 2,000 new indices, ~5% of them without user_id
    }

    private static async Task<List<string>> ExportAsync(
        AmplitudeCohortClient client, string cohortId, string? propertyKey, string identityColumn)
    {
        var requestId = await client.RequestCohortAsync(cohortId, propertyKey);
        await client.WaitUntilReadyAsync(requestId, Poll, JobTimeout);
        return await DownloadAsync(client, requestId, identityColumn);
    }

    private static async Task<List<string>> DownloadAsync(AmplitudeCohortClient client, string requestId, string identityColumn)
    {
        await using var file = await client.OpenFileAsync(requestId);
        var sink = new CollectingSink();
        await CohortCsvReader.ReadAsync(file, identityColumn, sink, CancellationToken.None);
        return sink.Identities;
    }

    private static async Task<(CohortReadResult Result, HashSet<string> Ids)> ExportCountingAsync(
        AmplitudeCohortClient client, string cohortId)
    {
        var requestId = await client.RequestCohortAsync(cohortId, null);
        await client.WaitUntilReadyAsync(requestId, Poll, JobTimeout);
        await using var file = await client.OpenFileAsync(requestId);
        var sink = new CountingSink { KeepDistinct = true };
        var result = await CohortCsvReader.ReadAsync(file, "user_id", sink, CancellationToken.None);
        return (result, sink.Distinct);
    }
}
