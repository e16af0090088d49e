namespace CohortSync.Sandbox.Amplitude;

// The sandbox as Amplitude's cohort webhook sender: a destination per project, batches queued on cohort changes
// or on demand, a delivery log. The same operations as /_admin/amplitude/projects/{apiKey}/webhook...
public sealed partial class AmplitudeSandbox
{
    /// <summary>Creates or replaces the project's webhook destination.</summary>
    /// <exception cref="KeyNotFoundException">No such project.</exception>
    /// <exception cref="ArgumentException">The destination is invalid (URL, headers, limits).</exception>
    public AmplitudeWebhookDestinationSummary PutWebhook(string apiKey, AmplitudeWebhookDestination destination)
    {
        lock (_lock)
        {
            ProjectOrThrow(apiKey);
            return _webhooks.Configure(apiKey, destination);
        }
    }

    /// <summary>The destination with header values hidden, or null when the project has none.</summary>
    public AmplitudeWebhookDestinationSummary? GetWebhook(string apiKey) => _webhooks.Get(apiKey);

    /// <summary>Forgets the destination, what it still had to send and its delivery log.</summary>
    public bool DeleteWebhook(string apiKey) => _webhooks.Remove(apiKey);

    /// <summary>Queues the given enter and exit sets for a cohort (which need not exist here).</summary>
    /// <exception cref="KeyNotFoundException">No such project, or it has no webhook destination.</exception>
    public AmplitudeWebhookQueued SendWebhook(string apiKey, string cohortId, AmplitudeWebhookSendRequest request)
    {
        ArgumentException.ThrowIfNullOrEmpty(cohortId);
        ArgumentNullException.ThrowIfNull(request);
        if (request.ComputedTime is < 0)
        {
            throw new ArgumentException("computedTime must be epoch seconds.");
        }

        if (request.MessageIdPrefix is { Length: 0 or > 150 })
        {
            throw new ArgumentException("messageIdPrefix must be 1–150 characters.");
        }

        lock (_lock)
        {
            var name = request.CohortName ?? ProjectOrThrow(apiKey).Cohorts.GetValueOrDefault(cohortId)?.Name ?? cohortId;
            return _webhooks.Enqueue(apiKey, cohortId, name, request.Entered ?? [], request.Exited ?? [], request.ComputedTime, request.MessageIdPrefix)
                ?? throw NoDestination(apiKey);
        }
    }

    /// <summary>The project's deliveries, oldest first; with <paramref name="since"/>, those with a greater sequence.</summary>
    /// <exception cref="KeyNotFoundException">The project has no webhook destination.</exception>
    public IReadOnlyList<AmplitudeWebhookDelivery> GetWebhookDeliveries(string apiKey, long? since = null) =>
        _webhooks.Deliveries(apiKey, since) ?? throw NoDestination(apiKey);

    /// <summary>Drops the finished deliveries from the log (sequence numbers keep increasing).</summary>
    public void ClearWebhookDeliveries(string apiKey)
    {
        if (!_webhooks.ClearDeliveries(apiKey)) throw NoDestination(apiKey);
    }

    public ValueTask DisposeAsync() => _webhooks.DisposeAsync();

    /// <summary>Queues who entered and left when a cohort of explicit members replaces one (or none).</summary>
    private void QueueChange(string apiKey, Cohort cohort, Cohort? previous)
    {
        if (cohort.Source is not ExplicitCohortSource now)
        {
            return;
        }

        IReadOnlyList<AmplitudeMember> before;
        switch (previous?.Source)
        {
            case null: before = []; break;
            case ExplicitCohortSource explicitBefore: before = explicitBefore.Members; break;
            default: return;
        }

        var (entered, exited) = AmplitudeWebhookBatch.Changes(before, now.Members);
        if (entered.Count + exited.Count > 0)
        {
            _webhooks.Enqueue(apiKey, cohort.Id, cohort.Name, entered, exited);
        }
    }

    private static KeyNotFoundException NoDestination(string apiKey) =>
        new($"Amplitude project '{apiKey}' has no webhook destination; PUT /_admin/amplitude/projects/{apiKey}/webhook first.");
}
