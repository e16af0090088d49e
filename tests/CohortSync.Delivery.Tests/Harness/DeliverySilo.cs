using CohortSync.Silo;
using CohortSync.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace CohortSync.Delivery.Tests.Harness;

/// <summary>A real silo host in this process (the same builder as `dotnet run --project silo`) with the test engine settings.</summary>
public sealed class DeliverySilo : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private DeliverySilo(WebApplication app) => _app = app;

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    public static async Task<DeliverySilo> StartAsync(string dataDir, IEnumerable<string> extraArgs)
    {
        var ports = FreePorts.Next(3);
        string[] args =
        [
            "--data-dir", dataDir,
            "--silo-port", ports[0].ToString(),
            "--gateway-port", ports[1].ToString(),
            "--http-port", ports[2].ToString(),
            .. EngineTestSettings.FastArgs,
            .. extraArgs,
        ];
        var app = await CohortSyncSilo.BuildAsync(args);
        await app.StartAsync();
        return new DeliverySilo(app);
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
