using CohortSync.Client.Cli;
using CohortSync.Client.Cluster;
using CohortSync.Client.Input;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Testing;

namespace CohortSync.Client.Tests;

/// <summary>Each test owns its real silo process, because each one takes it away or makes it wrong.</summary>
public sealed class ConnectionLossTests
{
    private static readonly OrleansClusterConnector Connector = new(new ClusterIdentity(ClusterIdentity.DefaultId, ClusterIdentity.DefaultId));

    [Fact]
    public async Task Gateway_lost_while_waiting_is_retried_and_then_exit_3_when_no_gateway_is_left()
    {
        await using var world = await World.StartAsync(new WorldOptions { Hosting = SiloHosting.Processes });
        // Amplitude's export job never completes, so the run is still active when the silo goes.
        world.Sandbox.Amplitude.PutProject(World.AmplitudeKey, World.AmplitudeSecret, new AmplitudeProjectSettings { InProgressPolls = int.MaxValue });
        var destinationId = await world.EnableWithDestinationAsync();
        world.SetCohort("c", World.Users(0, 3));
        var syncId = await world.StartSyncIdAsync("c", destinationId, "hourly");
        var gateway = world.Silos[0].Gateway;
        var connector = new ConnectionWatch(Connector);

        var waiting = CliHarness.RunAsync(connector, ["sync", "wait", World.ProjectId, syncId, "--gateway", gateway]);
        await connector.Connected.WaitAsync(TimeSpan.FromMinutes(1));
        world.Silos[0].Kill();
        var result = await waiting.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == ExitCodes.Unreachable, result.ToString());
        // Waiting is safe to repeat: the client says it retries, finds no gateway to reconnect to, and gives up at once.
        Assert.Collection(result.StderrLines,
            line => Assert.StartsWith("warning: the connection to the gateway was lost; retrying for up to 90 s", line),
            line => Assert.StartsWith($"error: cannot reach the CohortSync cluster at {gateway}:", line));
    }

    [Fact]
    public async Task Gateway_of_another_cluster_id_is_exit_3_naming_the_setting()
    {
        using var data = new TempDirectory("cohortsync-other-cluster-");
        await using var silo = await SiloProcess.StartAsync(data.Path, "--cluster-id", "someone-else");

        var result = await CliHarness.RunAsync(Connector, ["project", "show", "p1", "--gateway", silo.Gateway]);

        Assert.True(result.ExitCode == ExitCodes.Unreachable, result.ToString());
        Assert.Contains(ClusterIdentity.ClusterIdVariable, Assert.Single(result.StderrLines));
    }

    /// <summary>Tells the test when the CLI holds an open connection, so the gateway can be taken away mid-command.</summary>
    private sealed class ConnectionWatch(IClusterConnector inner) : IClusterConnector
    {
        private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Connected => _connected.Task;

        public async Task<IClusterConnection> ConnectAsync(IReadOnlyList<GatewayAddress> gateways, CancellationToken cancellationToken)
        {
            var connection = await inner.ConnectAsync(gateways, cancellationToken);
            _connected.TrySetResult();
            return connection;
        }
    }
}
