using CohortSync.Testing;

namespace CohortSync.Cluster.Tests;

/// <summary><c>dotnet run --project silo</c> says once, when ready, where it listens, where its data is and what to run next.</summary>
public sealed class ReadyBannerTests
{
    [Fact]
    public async Task A_ready_silo_prints_its_ports_storage_data_folder_and_the_next_command_once()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path);

        await Wait.UntilAsync("the ready banner", TimeSpan.FromSeconds(30), () => Task.FromResult((silo.Output.Contains("  try next"), silo.Output)));

        var output = silo.Output;
        var dataDir = Path.GetFullPath(data.Path);
        Assert.Single(output.Split('\n'), line => line.Trim() == "cohortsync silo ready");
        Assert.Contains($"  gateway    127.0.0.1:{silo.GatewayPort} (clients: --gateway or COHORTSYNC_GATEWAY)\n", output);
        Assert.Contains($"  silo port  {silo.SiloPort} (silo to silo)\n", output);
        Assert.Contains($"  http       http://127.0.0.1:{silo.HttpPort} (/health/ready, /metrics, Amplitude webhooks)\n", output);
        Assert.Contains($"  storage    sqlite, {Path.Combine(dataDir, "cohortsync.db")}\n", output);
        Assert.Contains($"  data       {dataDir}\n", output);
        Assert.Contains($"  try next   AMPLITUDE_API_KEY=… AMPLITUDE_SECRET_KEY=… cohortsync project enable <project> --gateway 127.0.0.1:{silo.GatewayPort}\n", output);
    }
}
