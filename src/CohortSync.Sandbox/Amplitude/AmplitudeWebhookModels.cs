using System.Text.Json;
using System.Text.Json.Serialization;

namespace CohortSync.Sandbox.Amplitude;

// Shapes of the /_admin/amplitude/.../webhook endpoints: the sandbox playing Amplitude's cohort webhook sender.

/// <summary>
/// Where a project's cohort changes are posted; <c>PUT /_admin/amplitude/projects/{apiKey}/webhook</c>.
/// Header values (a bearer token) travel in this body only and are never shown back in full.
/// </summary>
/// <param name="Url">Absolute http(s) URL the batches are POSTed to; no user info.</param>
/// <param name="Headers">Up to five custom headers, as Amplitude allows (e.g. <c>Authorization: Bearer …</c>).</param>
/// <param name="BatchSize">Members per batch (Amplitude's default 1000).</param>
/// <param name="Retries">Further attempts after a non-2xx answer, a connection failure or no answer in time.</param>
/// <param name="Duplicate">Send every batch twice with the same message_id, as Amplitude does when an answer is late.</param>
/// <param name="Reverse">Send a change's exit batches before its enter batches.</param>
/// <param name="DelayMs">Wait this long before each batch is sent.</param>
/// <param name="RetryBackoffMs">Wait before the first retry; doubled for each further one, at most five seconds.</param>
/// <param name="TimeoutMs">An attempt without an answer after this long counts as failed.</param>
public sealed record AmplitudeWebhookDestination(
    string Url,
    IReadOnlyDictionary<string, string>? Headers = null,
    int BatchSize = 1000,
    int Retries = 3,
    bool Duplicate = false,
    bool Reverse = false,
    int DelayMs = 0,
    int RetryBackoffMs = 200,
    int TimeoutMs = 10_000);

/// <summary>A destination as the admin API shows it: header values reduced to their last four characters.</summary>
public sealed record AmplitudeWebhookDestinationSummary(
    string Url,
    IReadOnlyDictionary<string, string> Headers,
    int BatchSize,
    int Retries,
    bool Duplicate,
    bool Reverse,
    int DelayMs,
    int RetryBackoffMs,
    int TimeoutMs);

/// <summary>One member in a batch: <c>{"user_id", "user_properties"}</c> (properties left out when it has none).</summary>
public sealed record AmplitudeWebhookUser(string? UserId, IReadOnlyDictionary<string, string?>? Properties = null);

/// <summary>
/// Sends a given enter/exit set for a cohort; <c>POST /_admin/amplitude/projects/{apiKey}/cohorts/{cohortId}/webhook</c>.
/// The cohort need not exist in the sandbox (its name is then <paramref name="CohortName"/> or its id).
/// </summary>
/// <param name="ComputedTime">computed_time in epoch seconds; by default the sender's clock (later than the cohort's last batch).</param>
/// <param name="MessageIdPrefix">The part before <c>::enter::N</c>; by default a new UUID, so the same prefix repeats message ids.</param>
public sealed record AmplitudeWebhookSendRequest(
    IReadOnlyList<AmplitudeWebhookUser>? Entered = null,
    IReadOnlyList<AmplitudeWebhookUser>? Exited = null,
    long? ComputedTime = null,
    string? MessageIdPrefix = null,
    string? CohortName = null);

/// <summary>What a cohort change or an explicit send put in the outbox, in sending order.</summary>
public sealed record AmplitudeWebhookQueued(IReadOnlyList<string> MessageIds, string ComputedTime);

[JsonConverter(typeof(AmplitudeWebhookDeliveryStateJson))]
public enum AmplitudeWebhookDeliveryState
{
    Queued,
    Sending,
    Delivered,
    Failed,
}

/// <summary>
/// One copy of one batch and what became of it; <c>GET /_admin/amplitude/projects/{apiKey}/webhook/deliveries</c>.
/// With <c>duplicate</c> on, a batch has two entries (<see cref="Copy"/> 1 and 2) with the same message_id.
/// </summary>
/// <param name="UserIds">The batch's members in order (null for a member without user_id).</param>
/// <param name="LastStatus">HTTP status of the last attempt; null when it got no answer.</param>
/// <param name="LastError">Why the last attempt got no answer (connection refused, timeout), else null.</param>
/// <param name="ResponseBody">The last answer's body, cut at 4,000 characters.</param>
public sealed record AmplitudeWebhookDelivery(
    long Sequence,
    string MessageId,
    string CohortId,
    bool InCohort,
    string ComputedTime,
    int Copy,
    IReadOnlyList<string?> UserIds,
    AmplitudeWebhookDeliveryState State,
    int Attempts,
    int? LastStatus,
    string? LastError,
    string? ResponseBody,
    DateTimeOffset QueuedAt,
    DateTimeOffset? FinishedAt)
{
    [JsonIgnore]
    public bool Finished => State is AmplitudeWebhookDeliveryState.Delivered or AmplitudeWebhookDeliveryState.Failed;
}

internal sealed class AmplitudeWebhookDeliveryStateJson() : JsonStringEnumConverter<AmplitudeWebhookDeliveryState>(JsonNamingPolicy.CamelCase);
