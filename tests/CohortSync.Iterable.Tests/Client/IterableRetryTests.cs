using System.Net;
using CohortSync.Iterable.Errors;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Iterable;
using Xunit;

namespace CohortSync.Iterable.Tests.Client;

public sealed class IterableRetryTests
{
    [Fact]
    public async Task Server_errors_are_retried_until_the_batch_goes_through_once()
    {
        await using var bed = await IterableTestBed.StartAsync(configure: options => options.MaxRetries = 4);
        var listId = bed.Sandbox.Iterable.CreateList(bed.ApiKey, "list");
        bed.Sandbox.Iterable.Faults = new IterableFaults { ServerErrorBurst = 2, ServerErrorStatus = 503 };

        var outcome = await bed.Client.SubscribeAsync(listId, ["alice", "bob"]);

        Assert.Equal(2, outcome.SucceededCount);
        var attempts = bed.Sandbox.Requests.Snapshot().Where(entry => entry.Path == "/api/lists/subscribe").Select(entry => entry.Status);
        Assert.Equal([503, 503, 200], attempts);
        Assert.Equal(["alice", "bob"], bed.Sandbox.Iterable.GetListMembers(bed.ApiKey, listId));
    }

    [Fact]
    public async Task Server_errors_beyond_the_retry_budget_raise_a_transient_error_and_change_nothing()
    {
        await using var bed = await IterableTestBed.StartAsync(configure: options => options.MaxRetries = 2);
        var listId = bed.Sandbox.Iterable.CreateList(bed.ApiKey, "list");
        bed.Sandbox.Iterable.Faults = new IterableFaults { ServerErrorBurst = 10 };

        var error = await Assert.ThrowsAsync<IterableTransientException>(() => bed.Client.SubscribeAsync(listId, ["alice"]));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(3, bed.Sandbox.Requests.Snapshot().Count(entry => entry.Path == "/api/lists/subscribe" && entry.Status == 500));
        Assert.Empty(bed.Sandbox.Iterable.GetListMembers(bed.ApiKey, listId));
    }

    [Fact]
    public async Task A_rate_limit_answer_is_not_retried_and_carries_Retry_After()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var listId = bed.Sandbox.Iterable.CreateList(bed.ApiKey, "list");
        bed.Sandbox.Iterable.Faults = new IterableFaults { RateLimitBurst = 1, RetryAfterSeconds = 7 };

        var error = await Assert.ThrowsAsync<IterableRateLimitedException>(() => bed.Client.SubscribeAsync(listId, ["alice"]));

        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Equal("RateLimitExceeded", error.IterableCode);
        Assert.Single(bed.Recorder.Requests);
        Assert.Empty(bed.Sandbox.Iterable.GetListMembers(bed.ApiKey, listId));
    }

    [Fact]
    public async Task A_plain_text_rate_limit_answer_without_Retry_After_is_understood()
    {
        await using var bed = await IterableTestBed.StartAsync();
        bed.Sandbox.Iterable.Faults = new IterableFaults { RateLimitBurst = 1, PlainTextRateLimit = true };

        var error = await Assert.ThrowsAsync<IterableRateLimitedException>(() => bed.Client.GetListsAsync());

        Assert.Null(error.RetryAfter);
        Assert.Contains("Rate limit exceeded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_creation_is_not_retried_so_a_lost_answer_cannot_make_a_duplicate()
    {
        await using var bed = await IterableTestBed.StartAsync(configure: options => options.MaxRetries = 4);
        bed.Sandbox.Iterable.Faults = new IterableFaults { ServerErrorBurst = 1 };

        await Assert.ThrowsAsync<IterableTransientException>(() => bed.Client.CreateListAsync("list"));

        Assert.Single(bed.Recorder.Requests);
        Assert.Empty(bed.Sandbox.Iterable.GetLists(bed.ApiKey));
    }

    [Fact]
    public async Task Other_client_errors_are_not_retried()
    {
        await using var bed = await IterableTestBed.StartAsync(options: new SandboxOptions { MaxSubscribersPerRequest = 2 });

        var error = await Assert.ThrowsAsync<IterableRequestException>(() => bed.Client.SubscribeAsync(bed.Sandbox.Iterable.CreateList(bed.ApiKey, "l"), ["a", "b", "c"]));

        Assert.Equal("BatchTooLarge", error.IterableCode);
        Assert.Single(bed.Recorder.Requests);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_then_raises_a_transient_error()
    {
        await using var bed = await IterableTestBed.StartAsync(configure: options => options.MaxRetries = 2);
        Uri deadUrl;
        await using (var gone = await SandboxServer.StartAsync())
        {
            deadUrl = gone.BaseUrl;
        }

        var client = bed.Factory.Create(deadUrl, bed.ApiKey);
        var error = await Assert.ThrowsAsync<IterableTransientException>(() => client.GetListsAsync());

        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Equal(3, bed.Recorder.Requests.Count);
    }

    [Fact]
    public async Task A_slow_answer_times_out_as_a_transient_error()
    {
        await using var bed = await IterableTestBed.StartAsync(configure: options =>
        {
            options.MaxRetries = 1;
            options.AttemptTimeout = TimeSpan.FromMilliseconds(100);
        });
        bed.Sandbox.Iterable.Faults = new IterableFaults { LatencyMs = 10_000 };

        await Assert.ThrowsAsync<IterableTransientException>(() => bed.Client.GetListsAsync());

        Assert.Equal(2, bed.Recorder.Requests.Count);
    }
}
