using CohortSync.Testing;

namespace CohortSync.Cluster.Tests;

/// <summary>`silo health`, the containers' health check: exit 0 for a ready silo, 1 for none.</summary>
public sealed class HealthCommandTests
{
    [Fact]
    public async Task Health_command_exits_zero_for_a_ready_silo_and_one_where_none_listens()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path);

        var ready = await ChildProcess.RunAsync(ChildProcess.Silo, ["health", "--http-port", silo.HttpPort.ToString()]);
        var absent = await ChildProcess.RunAsync(ChildProcess.Silo, ["health", "--http-port", FreePorts.Next().ToString()]);

        Assert.True(ready.ExitCode == 0, ready.Stdout + ready.Stderr);
        Assert.Equal("ready", ready.Stdout.Trim());
        Assert.Equal(1, absent.ExitCode);
        Assert.StartsWith("not ready", absent.Stdout);
    }

    [Fact]
    public async Task Health_command_reads_the_port_from_the_environment_as_in_the_compose_file()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path);

        var ready = await ChildProcess.RunAsync(ChildProcess.Silo, ["health"],
            new Dictionary<string, string?> { ["COHORTSYNC_HTTP_PORT"] = silo.HttpPort.ToString(), ["COHORTSYNC_HTTP_ADDRESS"] = "0.0.0.0" });

        Assert.True(ready.ExitCode == 0, ready.Stdout + ready.Stderr);
    }
}
