using CohortSync.Sandbox;
using CohortSync.Sandbox.Amplitude;
using Microsoft.Extensions.DependencyInjection;

namespace CohortSync.Amplitude.Tests;

/// <summary>
/// One sandbox on an ephemeral loopback port per test class, and the production client pipeline with retry delays
/// shrunk to milliseconds. Each test makes its own Amplitude project, so tests in a class never see each other.
/// </summary>
public sealed class AmplitudeSandboxFixture : IAsyncLifetime
{
    public const int MaxRetryAttempts = 3;

    private ServiceProvider? _services;

    public SandboxServer Server { get; private set; } = null!;
    public AmplitudeSandbox Amplitude => Server.Amplitude;
    public IAmplitudeClientFactory Clients => _services!.GetRequiredService<IAmplitudeClientFactory>();

    public async Task InitializeAsync()
    {
        Server = await SandboxServer.StartAsync();
        _services = new ServiceCollection()
            .AddAmplitudeClient(o =>
            {
                o.MaxRetryAttempts = MaxRetryAttempts;
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
                o.MaxRetryDelay = TimeSpan.FromMilliseconds(5);
                o.AttemptTimeout = TimeSpan.FromSeconds(20);
            })
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        await Server.DisposeAsync();
    }

    /// <summary>A fresh project with its own keys.</summary>
    public TestProject NewProject(AmplitudeProjectSettings? settings = null)
    {
        var project = new TestProject("key-" + Guid.NewGuid().ToString("N"), "secret-" + Guid.NewGuid().ToString("N"));
        Amplitude.PutProject(project.ApiKey, project.SecretKey, settings);
        return project;
    }

    public AmplitudeCohortClient ClientFor(TestProject project, string? secretKey = null) =>
        Clients.Create(Server.BaseUrl, project.ApiKey, secretKey ?? project.SecretKey);
}

public sealed record TestProject(string ApiKey, string SecretKey);
