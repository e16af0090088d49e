using CohortSync.Client.Cli;

namespace CohortSync.Client.Tests;

/// <summary>The reconcile options are checked before the cluster is reached: a bad value is one line and exit 2.</summary>
public sealed class ReconcileUsageTests
{
    private readonly CountingUnreachableConnector _cluster = new();

    private async Task<CliResult> UsageAsync(params string[] args)
    {
        var result = await CliHarness.RunAsync(_cluster, args, "", null);
        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Single(result.StderrLines);
        Assert.Equal(0, _cluster.Attempts);
        return result;
    }

    [Theory]
    [InlineData("3d")]
    [InlineData("0h")]
    [InlineData("721h")]
    [InlineData("weekly")]
    public async Task A_bad_drift_audit_is_a_usage_error(string value)
    {
        var result = await UsageAsync("sync", "start", "p1", "--cohort", "c1", "--destination", "d1", "--cadence", "daily", "--drift-audit", value);

        Assert.Contains($"drift audit '{value}' is not off, daily or a number of hours from 1h to 720h", result.Stderr);
    }

    [Fact]
    public async Task A_bad_adopt_is_a_usage_error()
    {
        var result = await UsageAsync("sync", "start", "p1", "--cohort", "c1", "--destination", "d1", "--cadence", "daily", "--adopt", "merge");

        Assert.Contains("--adopt 'merge' is not reconcile or keep", result.Stderr);
    }

    [Fact]
    public async Task A_dry_run_cannot_be_waited_for()
    {
        var result = await UsageAsync("sync", "reconcile", "p1", "s1", "--dry-run", "--wait");

        Assert.Contains("--wait is for a reconcile that runs", result.Stderr);
    }

    [Fact]
    public async Task Reconcile_and_run_full_reach_the_cluster()
    {
        foreach (var args in new[] { new[] { "sync", "reconcile", "p1", "s1" }, ["sync", "reconcile", "p1", "s1", "--dry-run"], ["sync", "run", "p1", "s1", "--full"] })
        {
            var result = await CliHarness.RunAsync(_cluster, args, "", null);
            Assert.True(result.ExitCode == ExitCodes.Unreachable, result.ToString());
        }
        Assert.True(_cluster.Attempts >= 3);
    }
}
