using Xunit;

namespace CohortSync.Iterable.Tests.Client;

/// <summary>Answers the sandbox never gives (it follows the spec), played by a canned handler.</summary>
public sealed class MalformedAnswerTests
{
    [Fact]
    public async Task A_subscribe_answer_without_its_required_counts_is_refused_rather_than_read_as_success()
    {
        var client = new IterableListClient(new HttpClient(new CannedAnswer("{}")) { BaseAddress = new Uri("http://127.0.0.1:1") }, "k");

        var error = await Assert.ThrowsAsync<Errors.IterableRequestException>(() => client.SubscribeAsync(1, ["a"]));

        Assert.Equal(System.Net.HttpStatusCode.OK, error.StatusCode);
    }

    [Fact]
    public async Task A_list_answer_without_lists_is_refused_rather_than_read_as_no_lists()
    {
        var client = new IterableListClient(new HttpClient(new CannedAnswer("""{"lists":null}""")) { BaseAddress = new Uri("http://127.0.0.1:1") }, "k");

        await Assert.ThrowsAsync<Errors.IterableRequestException>(() => client.FindListByNameAsync("x"));
    }

    private sealed class CannedAnswer(string json) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK)
            {
                Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
            });
    }
}
