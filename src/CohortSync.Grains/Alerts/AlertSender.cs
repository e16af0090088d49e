using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace CohortSync.Grains.Alerts;

/// <summary>
/// Delivers alerts in the background: <see cref="Post"/> never waits, so a slow or dead receiver never holds up a run.
/// Each alert is retried with exponential backoff, then dropped with a warning. Alerts live in memory until sent: a silo
/// that dies loses the ones it had not sent yet (the state change is still in the sync's history and in /metrics).
/// </summary>
public sealed class AlertSender(IHttpClientFactory http, IOptions<AlertOptions> options, CohortSyncMetrics metrics, ILogger<AlertSender> logger)
    : BackgroundService
{
    public const string HttpClientName = "cohortsync-alerts";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly Channel<Alert> _queue = Channel.CreateBounded<Alert>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    /// <summary>Queues the alert if its project has a receiver; returns at once.</summary>
    public void Post(Alert alert)
    {
        if (options.Value.UrlFor(alert.ProjectId) is null) return;
        _queue.Writer.TryWrite(alert);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = options.Value.MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            Delay = options.Value.RetryDelay,
            UseJitter = true,
            ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TaskCanceledException>(_ => !stoppingToken.IsCancellationRequested),
        }).Build();
        await foreach (var alert in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            var url = options.Value.UrlFor(alert.ProjectId);
            if (url is null) continue;
            // The path and query of an incoming-webhook URL are its secret: logs name the host only.
            var host = url.GetLeftPart(UriPartial.Authority);
            try
            {
                await retry.ExecuteAsync(async ct =>
                {
                    using var client = http.CreateClient(HttpClientName);
                    using var answer = await client.PostAsJsonAsync(url, Body(alert), Json, ct);
                    if (!answer.IsSuccessStatusCode) throw new HttpRequestException($"the alert receiver answered HTTP {(int)answer.StatusCode}");
                }, stoppingToken);
                metrics.AlertSent(alert.Kind.ToString(), delivered: true);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                metrics.AlertSent(alert.Kind.ToString(), delivered: false);
                logger.LogWarning("Alert {Kind} for sync {SyncId} could not be delivered to {Host}: {Error}", alert.Kind, alert.SyncId, host, ex.Message);
            }
        }
    }

    private static object Body(Alert alert) => new
    {
        text = alert.Text,
        kind = JsonNamingPolicy.CamelCase.ConvertName(alert.Kind.ToString()),
        projectId = alert.ProjectId,
        syncId = alert.SyncId,
        cohortId = alert.CohortId,
        cohortName = alert.CohortName,
        state = JsonNamingPolicy.CamelCase.ConvertName(alert.State.ToString()),
        runNumber = alert.RunNumber,
        reason = alert.Reason,
        at = alert.At,
    };
}
