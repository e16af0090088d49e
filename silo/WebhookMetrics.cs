using System.Diagnostics.Metrics;
using CohortSync.Grains;

namespace CohortSync.Silo;

/// <summary>Webhook batches received on this silo, by outcome (stored, duplicate, rejected with its HTTP status).</summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> _batches;
    private readonly Counter<long> _skipped;

    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(CohortSyncMetrics.MeterName);
        _batches = meter.CreateCounter<long>("cohortsync.webhook.batches", description: "Amplitude webhook batches received, by outcome");
        _skipped = meter.CreateCounter<long>("cohortsync.webhook.members.skipped", description: "Webhook members without a usable user_id");
    }

    public void Stored(int skipped)
    {
        _batches.Add(1, new KeyValuePair<string, object?>("outcome", "stored"));
        if (skipped > 0) _skipped.Add(skipped);
    }

    public void Duplicate() => _batches.Add(1, new KeyValuePair<string, object?>("outcome", "duplicate"));

    public void Rejected(int status) =>
        _batches.Add(1, new KeyValuePair<string, object?>("outcome", "rejected"), new KeyValuePair<string, object?>("status", status));
}
