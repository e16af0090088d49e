using CohortSync.Testing;

namespace CohortSync.Cluster.Tests;

/// <summary>How the client is told where the cluster is: checked before anything is sent.</summary>
public sealed class ClientDiscoveryTests
{
    [Fact]
    public async Task Postgres_option_with_a_password_is_refused_without_echoing_it()
    {
        var result = await ChildProcess.RunAsync(ChildProcess.Client,
            ["sync", "list", "1", "--postgres", "Host=db;Username=cohortsync;Password=hunter2-secret"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("PGPASSWORD", result.Stderr);
        Assert.DoesNotContain("hunter2", result.Stderr + result.Stdout);
    }

    [Fact]
    public async Task Postgres_option_and_gateways_together_are_refused()
    {
        var result = await ChildProcess.RunAsync(ChildProcess.Client,
            ["sync", "list", "1", "--postgres", "Host=db;Username=cohortsync", "--gateway", "127.0.0.1:30000"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("either --gateway or --postgres", result.Stderr);
    }

    [Fact]
    public async Task Postgres_option_without_a_value_needs_the_connection_string_in_the_environment()
    {
        var result = await ChildProcess.RunAsync(ChildProcess.Client, ["sync", "list", "1", "--postgres"],
            new Dictionary<string, string?> { ["COHORTSYNC_POSTGRES"] = null });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("COHORTSYNC_POSTGRES", result.Stderr);
    }

    [Fact]
    public async Task Membership_table_without_any_live_silo_is_reported_as_an_unreachable_cluster()
    {
        var result = await ChildProcess.RunAsync(ChildProcess.Client, ["sync", "list", "1", "--postgres", "--json"],
            new Dictionary<string, string?> { ["COHORTSYNC_POSTGRES"] = $"Host=127.0.0.1;Port={FreePorts.Next()};Username=nobody;Password=never-shown;Timeout=2" });

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("cannot reach the CohortSync cluster", result.Stderr);
        Assert.DoesNotContain("never-shown", result.Stderr + result.Stdout);
    }
}
