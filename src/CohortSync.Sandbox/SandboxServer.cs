using System.Net;
using CohortSync.Sandbox.Admin;
using CohortSync.Sandbox.Alerts;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Sandbox.Iterable;
using CohortSync.Sandbox.RequestLogging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CohortSync.Sandbox;

/// <summary>
/// The sandbox web app on 127.0.0.1: Iterable (/api/lists...) and Amplitude (/api/3/cohorts, /api/5/cohorts/...)
/// on one origin, plus /_admin. Several can run in one process (tests start one each on an ephemeral port).
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxOptions _options;

    private SandboxServer(WebApplication app, SandboxOptions options)
    {
        _app = app;
        _options = options;
        Requests = new RequestLog(options.RequestLogCapacity);
        Iterable = new IterableSandbox(options.IterableFaults, options.MaxSubscribersPerRequest, options.TimeProvider)
        {
            ListReadsPerMinute = options.IterableListReadsPerMinute,
            ListReadWindow = options.IterableListReadWindow,
        };
        Amplitude = new AmplitudeSandbox(options.TimeProvider);
    }

    public Uri BaseUrl { get; private set; } = null!;

    public IterableSandbox Iterable { get; }

    public AmplitudeSandbox Amplitude { get; }

    public RequestLog Requests { get; }

    /// <summary>A Slack-style incoming webhook at <c>/hooks/…</c> for the engine's alerts.</summary>
    public AlertReceiver Alerts { get; } = new();

    public static async Task<SandboxServer> StartAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SandboxServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.Logging.SetMinimumLevel(options.MinimumLogLevel);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));

        var app = builder.Build();
        var server = new SandboxServer(app, options);
        server.Seed();

        app.UseRequestLog(server.Requests, options.TimeProvider);
        app.MapSandboxAdmin(server);
        app.MapAlertReceiver(server.Alerts, options.TimeProvider);
        app.MapIterableSandboxAdmin(server.Iterable);
        app.MapIterableSandbox(server.Iterable);
        app.MapAmplitudeSandbox(server.Amplitude);

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseUrl = new Uri(address);
        return server;
    }

    /// <summary>Back to the state right after start: no keys, lists or log entries; start-time faults; demo data if seeded.</summary>
    public void Reset()
    {
        Iterable.Reset();
        Amplitude.Reset();
        Requests.Clear();
        Seed();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Amplitude.DisposeAsync();
    }

    private void Seed()
    {
        if (!_options.SeedDemo)
        {
            return;
        }

        Iterable.AddApiKey(IterableSandbox.DemoApiKey);
        Amplitude.SeedDemo();
    }
}
