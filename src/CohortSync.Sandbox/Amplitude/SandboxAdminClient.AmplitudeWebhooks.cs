using System.Diagnostics;
using System.Globalization;
using CohortSync.Sandbox.Amplitude;

namespace CohortSync.Sandbox;

// The sandbox as Amplitude's webhook sender: typed calls of /_admin/amplitude/projects/{apiKey}/webhook...
public sealed partial class SandboxAdminClient
{
    /// <summary>Creates or replaces the project's webhook destination (header values go in the body, never the URL).</summary>
    public Task<AmplitudeWebhookDestinationSummary> PutAmplitudeWebhookAsync(
        string apiKey, AmplitudeWebhookDestination destination, CancellationToken cancellationToken = default) =>
        AmplitudeAdminAsync<AmplitudeWebhookDestinationSummary>(HttpMethod.Put, $"projects/{Segment(apiKey)}/webhook", destination, cancellationToken);

    /// <summary>The destination with header values hidden, or null when the project has none.</summary>
    public Task<AmplitudeWebhookDestinationSummary?> GetAmplitudeWebhookAsync(string apiKey, CancellationToken cancellationToken = default) =>
        AmplitudeAdminOrNullAsync<AmplitudeWebhookDestinationSummary>($"projects/{Segment(apiKey)}/webhook", cancellationToken);

    public Task DeleteAmplitudeWebhookAsync(string apiKey, CancellationToken cancellationToken = default) =>
        AmplitudeAdminAsync<object>(HttpMethod.Delete, $"projects/{Segment(apiKey)}/webhook", null, cancellationToken);

    /// <summary>Queues the given enter/exit sets for a cohort; the message ids in sending order.</summary>
    public Task<AmplitudeWebhookQueued> SendAmplitudeWebhookAsync(
        string apiKey, string cohortId, AmplitudeWebhookSendRequest request, CancellationToken cancellationToken = default) =>
        AmplitudeAdminAsync<AmplitudeWebhookQueued>(
            HttpMethod.Post, $"projects/{Segment(apiKey)}/cohorts/{Segment(cohortId)}/webhook", request, cancellationToken);

    /// <summary>The project's deliveries, oldest first (after <paramref name="since"/> when given).</summary>
    public async Task<IReadOnlyList<AmplitudeWebhookDelivery>> GetAmplitudeWebhookDeliveriesAsync(
        string apiKey, long? since = null, CancellationToken cancellationToken = default)
    {
        var query = since is { } sequence ? "?since=" + sequence.ToString(CultureInfo.InvariantCulture) : "";
        return await AmplitudeAdminAsync<AmplitudeWebhookDelivery[]>(
            HttpMethod.Get, $"projects/{Segment(apiKey)}/webhook/deliveries{query}", null, cancellationToken);
    }

    /// <summary>Drops the finished deliveries from the log.</summary>
    public Task ClearAmplitudeWebhookDeliveriesAsync(string apiKey, CancellationToken cancellationToken = default) =>
        AmplitudeAdminAsync<object>(HttpMethod.Delete, $"projects/{Segment(apiKey)}/webhook/deliveries", null, cancellationToken);

    /// <summary>
    /// Polls the delivery log until it holds at least <paramref name="count"/> deliveries and every one is finished
    /// (delivered or failed), and returns them; <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public async Task<IReadOnlyList<AmplitudeWebhookDelivery>> WaitForAmplitudeWebhookDeliveriesAsync(
        string apiKey, int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var deliveries = await GetAmplitudeWebhookDeliveriesAsync(apiKey, cancellationToken: cancellationToken);
            if (deliveries.Count >= count && deliveries.All(d => d.Finished))
            {
                return deliveries;
            }

            if (clock.Elapsed > timeout)
            {
                var pending = deliveries.Count(d => !d.Finished);
                throw new TimeoutException(
                    $"After {timeout.TotalSeconds:0} s the sandbox had {deliveries.Count} webhook deliveries ({pending} unfinished); {count} finished were awaited.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }
}
