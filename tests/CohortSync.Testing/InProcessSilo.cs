using CohortSync.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace CohortSync.Testing;

/// <summary>
/// A real silo host (the same builder as `dotnet run --project silo`) in this process, on loopback ports and a
/// database of the test's own, with the engine's waits shrunk (<see cref="EngineTestSettings"/>) so tests run in seconds.
/// </summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private InProcessSilo(WebApplication app, string dataDir, int siloPort, int gatewayPort, int httpPort)
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

    /// <summary>The silo's web host (health, metrics, webhook intake) on loopback, ending in a slash.</summary>
    public Uri HttpBaseUrl => new($"http://127.0.0.1:{HttpPort}/");

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();
    public IServiceProvider Services => _app.Services;

    /// <param name="siloPort">Null for a free port; a restarted silo passes its predecessor's.</param>
    public static async Task<InProcessSilo> StartAsync(string dataDir, int? siloPort = null, int? gatewayPort = null, params string[] extraArgs)
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
        return new InProcessSilo(app, dataDir, silo, gateway, http);
    }

    /// <summary>A graceful stop: activations deactivate, a run in progress is cut short and checkpointed.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _app.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); } catch (Exception) { /* already stopping */ }
        await _app.DisposeAsync();
    }
}
