namespace CohortSync.Storage.Webhooks;

/// <summary>
/// Durable intake of Amplitude cohort webhook batches: each batch is stored once (by <c>message_id</c>), and each
/// member's latest state is kept per cohort, replaced only by a change with a later <c>computed_time</c>.
/// </summary>
public interface IWebhookStore
{
    /// <summary>Stores the batch and its members in one transaction; a batch seen before changes nothing.</summary>
    Task<WebhookStoreResult> StoreBatchAsync(WebhookBatch batch, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> member changes of the cohort with a seq above <paramref name="afterSeq"/>, in seq order.</summary>
    Task<WebhookChangePage> ReadChangesAsync(string projectId, string cohortId, long afterSeq, int limit, CancellationToken cancellationToken);
}

/// <summary>One enter or exit batch as Amplitude sent it; <see cref="ComputedTime"/> in epoch milliseconds.</summary>
public sealed record WebhookBatch(
    string ProjectId,
    string MessageId,
    string CohortId,
    string? CohortName,
    bool InCohort,
    long ComputedTime,
    DateTimeOffset ReceivedAt,
    IReadOnlyList<WebhookMember> Members);

/// <param name="UserProperties">The member's <c>user_properties</c> object as JSON text, or null.</param>
public sealed record WebhookMember(string UserId, string? UserProperties);

/// <param name="Duplicate">True when a batch with this message_id was stored before (nothing changed).</param>
/// <param name="Applied">Members whose state changed.</param>
/// <param name="Stale">Members left as they were: the stored state is as new or newer.</param>
public sealed record WebhookStoreResult(bool Duplicate, int Applied, int Stale);

public sealed record WebhookMemberChange(string UserId, bool InCohort, string? UserProperties, long Seq);

/// <param name="MaxSeq">The cohort's highest seq when the page was read (0 when nothing was stored).</param>
public sealed record WebhookChangePage(IReadOnlyList<WebhookMemberChange> Changes, long MaxSeq);
