using CohortSync.Client.Cluster;
using CohortSync.Client.Input;
using CohortSync.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CohortSync.Client.Tests.StandIn;

/// <summary>
/// A real Orleans silo in the test process, hosting the stand-in grains, with the cluster id the
/// client uses by default. The client reaches it through its gateway like it would a real silo.
/// </summary>
public sealed class StandInSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private StandInSilo(IHost host, int gatewayPort)
    {
        _host = host;
        Gateway = new GatewayAddress("127.0.0.1", gatewayPort);
    }

    public GatewayAddress Gateway { get; }

    /// <summary>The silo's own grain factory, for seeding and inspecting stand-in grains around a command.</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<StandInSilo> StartAsync(string clusterId = ClusterIdentity.DefaultId)
    {
        var (siloPort, gatewayPort) = (FreePorts.Next(), FreePorts.Next());
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: ClusterIdentity.DefaultId, clusterId: clusterId));
        var host = builder.Build();
        await host.StartAsync();
        return new StandInSilo(host, gatewayPort);
    }

    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped by the test.
        }
        _host.Dispose();
    }
}

/// <summary>One stand-in silo shared by a test class; tests keep apart by using their own project ids.</summary>
public sealed class StandInSiloFixture : IAsyncLifetime
{
    private StandInSilo? _silo;

    public StandInSilo Silo => _silo ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _silo = await StandInSilo.StartAsync();

    public async Task DisposeAsync()
    {
        if (_silo is not null) await _silo.DisposeAsync();
    }
}
