using CohortSync.Amplitude;
using CohortSync.Grains.Runs;
using CohortSync.Iterable.Delivery;
using CohortSync.Iterable.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CohortSync.Grains;

public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// The run engine: HTTP clients for both vendors, the runner and its options. The host adds the
    /// pieces that depend on where it runs: the <c>SecretProtector</c> and the <c>ISnapshotStore</c>.
    /// </summary>
    public static IServiceCollection AddCohortSyncEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SyncEngineOptions>().Bind(configuration.GetSection(SyncEngineOptions.Section))
            .Validate(options => !options.Problems().Any(), "Invalid CohortSync:Engine: check periods, batch size, limits and retries.")
            .ValidateOnStart();
        services.AddAmplitudeClient();
        services.AddOptions<AmplitudeClientOptions>().Bind(configuration.GetSection("CohortSync:Amplitude"));
        services.AddIterableClient();
        services.AddOptions<IterableClientOptions>().Bind(configuration.GetSection("CohortSync:Iterable"));
        services.AddOptions<RateBudgetOptions>().Bind(configuration.GetSection(RateBudgetOptions.Section))
            .Validate(options => !options.Problems().Any(), "Invalid CohortSync:RateBudget: check rates, factor, periods and pauses.")
            .ValidateOnStart();
        services.AddOptions<Alerts.AlertOptions>().Bind(configuration.GetSection(Alerts.AlertOptions.Section))
            .Validate(options => !options.Problems().Any(), "Invalid CohortSync:Alerts: check the webhook URLs and the spike settings.")
            .ValidateOnStart();
        // No request logging on this client: the alert URL's path is a secret.
        services.AddHttpClient(Alerts.AlertSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10)).RemoveAllLoggers();
        services.AddSingleton<Alerts.AlertSender>();
        services.AddHostedService(provider => provider.GetRequiredService<Alerts.AlertSender>());
        services.AddSingleton<SyncRunner>();
        services.AddSingleton<Syncs.RunRequestBuilder>();
        services.AddSingleton<LargeRunSlots>();
        services.AddSingleton<AmplitudeDownloadGate>();
        services.AddSingleton<IDownloadPermits>(provider => provider.GetRequiredService<AmplitudeDownloadGate>());
        services.AddSingleton<ClusterRetry>();
        services.AddSingleton<Syncs.RunExecution>();
        services.AddSingleton<Projects.CohortLookup>();
        services.AddSingleton<Destinations.IterableKeyCheck>();
        services.AddMetrics();
        services.AddSingleton<CohortSyncMetrics>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
