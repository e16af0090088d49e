using CohortSync.Client.Cli;
using CohortSync.Client.Cluster;
using CohortSync.Client.Tests.StandIn;
using CohortSync.Contracts;

namespace CohortSync.Client.Tests;

/// <summary>Each test owns its silo, because each one takes it away or makes it wrong.</summary>
public sealed class ConnectionLossTests
{
    private static readonly OrleansClusterConnector Connector = new(new ClusterIdentity(ClusterIdentity.DefaultId, ClusterIdentity.DefaultId));

    [Fact]
    public async Task Gateway_lost_while_waiting_is_retried_and_then_exit_3_when_no_gateway_is_left()
    {
        await using var silo = await StandInSilo.StartAsync();
        var key = GrainKeys.Sync("lost", "s1");
        await silo.Grains.GetGrain<IStandInSync>(key).CreateAsync(new StartSyncRequest("c", "d1", Cadence.Hourly), RunScript.Endless, runAtOnce: true);
        var polled = StandInSignals.FirstPollOf(key);

        var waiting = CliHarness.RunAsync(Connector, ["sync", "wait", "lost", "s1", "--gateway", silo.Gateway.ToString()]);
        await polled.WaitAsync(TimeSpan.FromMinutes(1));
        await silo.StopAsync();
        var result = await waiting.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == ExitCodes.Unreachable, result.ToString());
        // Waiting is safe to repeat: the client says it retries, finds no gateway to reconnect to, and gives up at once.
        Assert.Collection(result.StderrLines,
            line => Assert.StartsWith("warning: the connection to the gateway was lost; retrying for up to 90 s", line),
            line => Assert.StartsWith($"error: cannot reach the CohortSync cluster at {silo.Gateway}:", line));
    }

    [Fact]
    public async Task Gateway_of_another_cluster_id_is_exit_3_naming_the_setting()
    {
        await using var silo = await StandInSilo.StartAsync(clusterId: "someone-else");

        var result = await CliHarness.RunAsync(Connector, ["project", "show", "p1", "--gateway", silo.Gateway.ToString()]);

        Assert.True(result.ExitCode == ExitCodes.Unreachable, result.ToString());
        Assert.Contains(ClusterIdentity.ClusterIdVariable, Assert.Single(result.StderrLines));
    }
}
