using CohortSync.Iterable.Hosting;
using CohortSync.Sandbox;
using Microsoft.Extensions.DependencyInjection;

namespace CohortSync.Iterable.Tests;

/// <summary>
/// A sandbox on an ephemeral loopback port, one registered Iterable key, and a list client built the way
/// production builds it (DI, named HttpClient, resilience handler) with tiny backoffs and a wire recorder.
/// </summary>
public sealed class IterableTestBed : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private IterableTestBed(SandboxServer sandbox, ServiceProvider services, RecordingHandler recorder, string apiKey)
    {
        Sandbox = sandbox;
        _services = services;
        Recorder = recorder;
        ApiKey = apiKey;
        Factory = services.GetRequiredService<IIterableClientFactory>();
        Client = Factory.Create(sandbox.BaseUrl, apiKey);
    }

    public SandboxServer Sandbox { get; }

    public RecordingHandler Recorder { get; }

    public string ApiKey { get; }

    public IIterableClientFactory Factory { get; }

    public IterableListClient Client { get; }

    public static async Task<IterableTestBed> StartAsync(SandboxOptions? options = null, Action<IterableClientOptions>? configure = null)
    {
        var sandbox = await SandboxServer.StartAsync(options);
        var apiKey = "test-key-" + Guid.NewGuid().ToString("N");
        sandbox.Iterable.AddApiKey(apiKey);

        var recorder = new RecordingHandler();
        var services = new ServiceCollection();
        services.AddIterableClient(client =>
        {
            client.BaseDelay = TimeSpan.FromMilliseconds(1);
            client.MaxDelay = TimeSpan.FromMilliseconds(5);
            configure?.Invoke(client);
        }).AddHttpMessageHandler(() => recorder);
        return new IterableTestBed(sandbox, services.BuildServiceProvider(validateScopes: true), recorder, apiKey);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
