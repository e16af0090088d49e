using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CohortSync.Client.Cli;
using CohortSync.Client.Input;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace CohortSync.Client.Cluster;

/// <summary>
/// Starts an Orleans client over static gateways, or over the gateways the membership table lists. It gives up after <see cref="ConnectTimeout"/>
/// rather than retrying forever as Orleans would, because an operator is waiting at the prompt.
/// Orleans logs nowhere visible: the only logging provider is <see cref="HandshakeWatch"/>, which
/// keeps one fact in memory, so only our one-line errors reach stderr.
/// </summary>
public sealed class OrleansClusterConnector(ClusterIdentity identity, ClientTls? tls = null) : IClusterConnector
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan GatewayListRefresh = TimeSpan.FromSeconds(5);
    private const string PostgresInvariant = "Npgsql";

    /// <summary>The same connector, speaking TLS with the given client certificate.</summary>
    public OrleansClusterConnector WithTls(ClientTls clientTls) => new(identity, clientTls);

    public async Task<IClusterConnection> ConnectAsync(IReadOnlyList<GatewayAddress> gateways, CancellationToken cancellationToken)
    {
        var endpoints = await ResolveAsync(gateways, cancellationToken);
        return await StartAsync(client => client.UseStaticClustering(endpoints), gateways, cancellationToken);
    }

    /// <summary>Connects through whichever silos the membership table lists as active, and follows it as they change.</summary>
    public Task<IClusterConnection> ConnectAsync(MembershipTable table, CancellationToken cancellationToken) =>
        StartAsync(client => client
            .UseAdoNetClustering(options =>
            {
                options.Invariant = PostgresInvariant;
                options.ConnectionString = table.ConnectionString;
            })
            .Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = GatewayListRefresh),
            [table.Where()], cancellationToken);

    private async Task<IClusterConnection> StartAsync(Action<IClientBuilder> clustering, IReadOnlyList<GatewayAddress> gateways, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // System.CommandLine owns Ctrl+C; the default console lifetime would swallow it.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        var handshake = new HandshakeWatch();
        builder.Logging.AddProvider(handshake);
        var watch = new ConnectionWatch();
        builder.UseOrleansClient(client =>
        {
            clustering(client);
            tls?.ApplyTo(client);
            client
                .Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = identity.ClusterId;
                    options.ServiceId = identity.ServiceId;
                })
                .Configure<ClientMessagingOptions>(options => options.ResponseTimeout = ResponseTimeout)
                .AddGatewayCountChangedHandler((_, change) =>
                {
                    if (change.NumberOfConnectedGateways == 0) watch.GatewaysGone();
                })
                .AddClusterConnectionLostHandler((_, _) => watch.GatewaysGone())
                .UseConnectionRetryFilter(async (_, token) =>
                {
                    if (clock.Elapsed + RetryDelay >= ConnectTimeout) return false;
                    await Task.Delay(RetryDelay, token);
                    return true;
                });
        });
        var host = builder.Build();

        // Backstop for a connect attempt that hangs (e.g. a gateway address that drops packets).
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        giveUp.CancelAfter(ConnectTimeout + ConnectTimeout);
        try
        {
            await host.StartAsync(giveUp.Token);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            await CloseAsync(host);
            // A TLS handshake refused may surface as a hang-up or as a plain failure to connect, depending on timing: with
            // TLS on, the certificate is worth naming either way.
            throw handshake.GatewayHungUp
                ? new ClusterUnreachableException(gateways, "a gateway accepted the connection and then closed it", HungUpHint(), exception)
                : new ClusterUnreachableException(gateways, hint: tls is null ? null : $"is a silo running? If one is: {HungUpHint()}", inner: exception);
        }
        catch
        {
            await CloseAsync(host);
            throw;
        }
        watch.Connected();
        return new GrainFactoryConnection(host.Services.GetRequiredService<IGrainFactory>(), watch.Lost, async () =>
        {
            watch.Closing();
            await CloseAsync(host);
        });
    }

    /// <summary>A gateway hangs up on a client of another cluster id, and on one without the certificate its TLS requires.</summary>
    private string HungUpHint() => tls is null
        ? $"the cluster may require TLS with client certificates (use --tls-certificate and --tls-ca), or run with another cluster id than '{identity.ClusterId}' (set {ClusterIdentity.ClusterIdVariable})"
        : $"is this client's certificate signed by the cluster's CA, and does the silo run with cluster id '{identity.ClusterId}'? (set {ClusterIdentity.ClusterIdVariable})";

    private static async Task<IPEndPoint[]> ResolveAsync(IReadOnlyList<GatewayAddress> gateways, CancellationToken cancellationToken)
    {
        var endpoints = new List<IPEndPoint>();
        foreach (var gateway in gateways)
        {
            if (IPAddress.TryParse(gateway.Host, out var address))
            {
                endpoints.Add(new IPEndPoint(address, gateway.Port));
                continue;
            }
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(gateway.Host, cancellationToken);
                // Silos usually listen on IPv4; "localhost" must not end up as ::1 only.
                var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
                if (chosen is not null) endpoints.Add(new IPEndPoint(chosen, gateway.Port));
            }
            catch (SocketException)
            {
                // An unresolvable name is one unreachable gateway among possibly several.
            }
        }
        return endpoints.Count > 0
            ? [.. endpoints]
            : throw new ClusterUnreachableException(gateways, "no gateway host name could be resolved");
    }

    private static async Task CloseAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await host.StopAsync(timeout.Token);
        }
        catch (Exception)
        {
            // Closing a connection to a cluster that is gone cannot fail the command any further.
        }
        if (host is IAsyncDisposable asyncHost) await asyncHost.DisposeAsync();
        else host.Dispose();
    }

    /// <summary>Turns Orleans' "no gateway left" notifications into a token, but only between connecting and closing.</summary>
    private sealed class ConnectionWatch
    {
        private readonly CancellationTokenSource _lost = new();
        private readonly Lock _gate = new();
        private bool _open;

        public CancellationToken Lost => _lost.Token;

        public void Connected()
        {
            lock (_gate) _open = true;
        }

        public void Closing()
        {
            lock (_gate) _open = false;
        }

        public void GatewaysGone()
        {
            lock (_gate)
            {
                if (_open) _lost.Cancel();
            }
        }
    }

    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
