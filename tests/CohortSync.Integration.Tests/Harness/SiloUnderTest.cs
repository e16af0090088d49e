using CohortSync.Silo;
using CohortSync.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace CohortSync.Integration.Tests.Harness;

/// <summary>
/// A real silo host (the same builder as `dotnet run --project silo`) in this process, on free loopback
/// ports and a database of the test's own (SQLite by default; <c>extraArgs</c> select PostgreSQL), with the engine's waits shrunk so tests run in seconds.
/// </summary>
public sealed class SiloUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SiloUnderTest(WebApplication app, string dataDir, int siloPort, int gatewayPort, int httpPort)
    {
        _app = app;
        DataDir = dataDir;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        HttpPort = httpPort;
    }

    public string DataDir { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public int HttpPort { get; }
    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();
    public IServiceProvider Services => _app.Services;


    public static async Task<SiloUnderTest> StartAsync(string dataDir, int? siloPort = null, int? gatewayPort = null, params string[] extraArgs)
    {
        var ports = FreePorts.Next(3);
        var silo = siloPort ?? ports[0];
        var gateway = gatewayPort ?? ports[1];
        var http = ports[2];
        string[] args =
        [
            "--data-dir", dataDir,
            "--silo-port", silo.ToString(),
            "--gateway-port", gateway.ToString(),
            "--http-port", http.ToString(),
            .. EngineTestSettings.FastArgs,
            .. extraArgs,
        ];
        var app = await CohortSyncSilo.BuildAsync(args);
        await app.StartAsync();
        return new SiloUnderTest(app, dataDir, silo, gateway, http);
    }

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _app.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); } catch (Exception) { /* already stopped */ }
        await _app.DisposeAsync();
    }
}
