using System.Net;
using CohortSync.Amplitude;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

public static class AmplitudeServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IAmplitudeClientFactory"/> and the named HttpClient behind it: gzip accepted,
    /// redirects followed (Authorization dropped on the way), bounded retries of transient failures.
    /// </summary>
    public static IServiceCollection AddAmplitudeClient(
        this IServiceCollection services, Action<AmplitudeClientOptions>? configure = null)
    {
        var options = services.AddOptions<AmplitudeClientOptions>()
            .Validate(o => o.MaxRetryAttempts >= 0, "MaxRetryAttempts must not be negative.")
            .Validate(o => o.RetryDelay >= TimeSpan.Zero && o.MaxRetryDelay >= o.RetryDelay,
                "RetryDelay must be between zero and MaxRetryDelay.")
            .Validate(o => o.AttemptTimeout > TimeSpan.Zero, "AttemptTimeout must be positive.")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        var http = services.AddHttpClient(AmplitudeClientOptions.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                AllowAutoRedirect = true,
                MaxAutomaticRedirections = 3,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            // The file body of a large cohort streams for longer than any sensible whole-request timeout;
            // the attempt timeout below bounds the wait for headers instead.
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        http.AddResilienceHandler("amplitude", (pipeline, context) =>
        {
            var settings = context.ServiceProvider.GetRequiredService<IOptions<AmplitudeClientOptions>>().Value;
            if (settings.MaxRetryAttempts > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = settings.MaxRetryAttempts,
                    Delay = settings.RetryDelay,
                    MaxDelay = settings.MaxRetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    // A refusal for the monthly quota is not transient: sending it again would only be refused again.
                    ShouldHandle = async args =>
                    {
                        if (args.Outcome.Result is { StatusCode: >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError } refused)
                        {
                            await refused.Content.LoadIntoBufferAsync(args.Context.CancellationToken);
                            if (AmplitudeQuotaExceededException.IsQuotaRefusal(await refused.Content.ReadAsStringAsync(args.Context.CancellationToken))) return false;
                        }
                        return HttpClientResiliencePredicates.IsTransient(args.Outcome);
                    },
                });
            }

            pipeline.AddTimeout(settings.AttemptTimeout);
        });
        http.AddHttpMessageHandler(() => new RequestCopyPerAttemptHandler()); // inside the retries: see the class

        services.AddSingleton<IAmplitudeClientFactory, AmplitudeClientFactory>();
        return services;
    }
}
