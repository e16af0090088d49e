using CohortSync.Client.Cli;

namespace CohortSync.Client.Tests;

/// <summary><c>project webhook</c>: the token is shown once, a second one needs --rotate, project show says one is set.</summary>
public sealed partial class ClusterCommandTests
{
    [Fact]
    public async Task Project_webhook_prints_the_path_and_token_once_and_replaces_it_only_with_rotate()
    {
        var projectId = await _cli.EnabledProjectAsync("hook-cli");
        var before = await RunAsync(["project", "show", projectId]);

        var created = await RunAsync(["project", "webhook", projectId, "--json"]);
        var refused = await RunAsync(["project", "webhook", projectId]);
        var rotated = await RunAsync(["project", "webhook", projectId, "--rotate"]);
        var after = await RunAsync(["project", "show", projectId]);

        Assert.Matches(@"webhook token\s+not set \(cohortsync project webhook creates one\)", before.Stdout);
        AssertExit(ExitCodes.Ok, created);
        var document = Json(created);
        Assert.Equal($"/webhooks/amplitude/{projectId}", document.GetProperty("path").GetString());
        var token = document.GetProperty("token").GetString()!;
        Assert.Equal(43, token.Length);
        Assert.Equal(["path", "token"], document.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        AssertExit(ExitCodes.Refused, refused);
        Assert.Contains($"project {projectId} already has a webhook token; add --rotate to replace it", refused.Stderr);
        AssertExit(ExitCodes.Ok, rotated);
        Assert.Contains("the old token stopped working", rotated.Stdout);
        Assert.DoesNotContain(token, rotated.Stdout);
        Assert.Matches(@"webhook token\s+set\n", after.Stdout);
        Assert.DoesNotContain(token, after.Stdout);
    }

    [Theory]
    [InlineData("hourly", "daily", "--reconcile-every is for --cadence realtime only")]
    [InlineData("realtime", "30m", "reconcile interval '30m' is not auto, daily, weekly, <N>d or <N>h (1 hour to 90 days)")]
    public async Task A_reconcile_interval_is_refused_unless_realtime_and_an_interval(string cadence, string every, string error)
    {
        var result = await RunAsync(["sync", "start", "p", "--cohort", "c", "--destination", "d", "--cadence", cadence, "--reconcile-every", every]);

        AssertExit(ExitCodes.Usage, result);
        Assert.Contains(error, result.Stderr);
    }
}
