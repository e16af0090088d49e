using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace CohortSync.Iterable.Hosting;

public static class IterableServiceCollectionExtensions
{
    public const string HttpClientName = "iterable";

    /// <summary>
    /// Registers the named HttpClient "iterable" with a resilience handler and <see cref="IIterableClientFactory"/>.
    /// The handler retries 5xx, 408, timeouts and connection failures with exponential backoff and jitter.
    /// It does not retry 429 (the shared per-project rate budget owns that) nor other 4xx.
    /// Returns the client builder so callers can add handlers (tests record the wire traffic that way).
    /// </summary>
    public static IHttpClientBuilder AddIterableClient(this IServiceCollection services, Action<IterableClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<IterableClientOptions>()
            .Configure(options => configure?.Invoke(options))
            .Validate(options => !options.Problems().Any(), "Invalid IterableClientOptions: check retries, delays and timeouts.")
            .ValidateOnStart();
        services.AddSingleton<IIterableClientFactory, IterableClientFactory>();

        var builder = services.AddHttpClient(HttpClientName, http =>
        {
            // The pipeline's own timeouts govern; HttpClient's 100 s default would cut across them.
            http.Timeout = Timeout.InfiniteTimeSpan;
        });

        // IHttpClientFactory's logging can write request headers; the key must never appear in a log.
        builder.RedactLoggedHeaders(header => header.Equals("Api-Key", StringComparison.OrdinalIgnoreCase)
                                              || header.Equals("Api_Key", StringComparison.OrdinalIgnoreCase));
        builder.AddResilienceHandler("iterable-retry", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<IterableClientOptions>>().Value;
            pipeline.AddTimeout(options.TotalTimeout);
            if (options.MaxRetries > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxRetries,
                    Delay = options.BaseDelay,
                    MaxDelay = options.MaxDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    // A Retry-After on a 5xx could ask for an unbounded wait; server-directed waiting belongs to the rate budget.
                    ShouldRetryAfterHeader = false,
                    ShouldHandle = args => ValueTask.FromResult(IsRetryable(args.Outcome, args.Context)),
                });
            }

            pipeline.AddTimeout(options.AttemptTimeout);
        });
        return builder;
    }

    private static bool IsRetryable(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        // A list creation whose answer was lost may still have created the list; sending it again could make a
        // duplicate. The caller looks the list up by name before creating it again.
        if (context.GetRequestMessage() is { } request && IsListCreation(request))
        {
            return false;
        }

        return outcome switch
        {
            { Exception: HttpRequestException or TimeoutRejectedException } => true,
            { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout,
            _ => false,
        };
    }

    private static bool IsListCreation(HttpRequestMessage request) =>
        request.Method == HttpMethod.Post
        && request.RequestUri is { } uri
        && uri.AbsolutePath.TrimEnd('/').EndsWith("/api/lists", StringComparison.Ordinal);
}
