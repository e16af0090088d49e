using System.Net;
using CohortSync.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace CohortSync.Storage.Tests.Orleans;

/// <summary>
/// An in-process silo configured the way the CohortSync silo is: ADO.NET grain storage and reminders on
/// the migrated database; localhost clustering on SQLite, ADO.NET clustering on PostgreSQL.
/// </summary>
public sealed class TestSilo(IHost host) : IAsyncDisposable
{
    public const string StorageName = "cohortsync";

    public IServiceProvider Services => host.Services;

    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<TestSilo> StartAsync(StorageBackend backend, string connectionString, string serviceId, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            var (siloPort, gatewayPort) = (FreePorts.Next(), FreePorts.Next());
            var invariant = OrleansAdoNet.InvariantFor(backend);
            if (backend == StorageBackend.Sqlite)
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: serviceId, clusterId: serviceId);
            }
            else
            {
                silo.Configure<ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (serviceId, serviceId));
                silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
                silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (invariant, connectionString));
            }

            silo.AddAdoNetGrainStorage(StorageName, o => (o.Invariant, o.ConnectionString) = (invariant, connectionString));
            silo.UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = (invariant, connectionString));

            // Short periods so a test sees a tick within seconds; production keeps the defaults.
            silo.Configure<ReminderOptions>(o =>
            {
                o.MinimumReminderPeriod = TimeSpan.FromSeconds(1);
                o.RefreshReminderListPeriod = TimeSpan.FromSeconds(2);
                o.InitializationTimeout = TimeSpan.FromSeconds(30);
            });
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));

        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new TestSilo(host);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default) => await host.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await host.StopAsync();
        }
        finally
        {
            host.Dispose();
        }
    }
}
