using CohortSync.Contracts;

namespace CohortSync.Silo.Api;

// Request bodies of the HTTP API. Keys travel here and nowhere else (never in a path or query string); the answers
// carry the hints the grains return, never a key.

/// <summary>
/// <c>POST …/enable</c>: the project's Amplitude keys; region or URL optional (default: Amplitude US); organisation
/// optional (projects of one organisation share its download quota).
/// </summary>
public sealed record EnableProjectBody(string? AmplitudeApiKey, string? AmplitudeSecretKey, string? AmplitudeRegion, string? AmplitudeUrl, string? Organisation = null)
{
    public override string ToString() => $"EnableProjectBody(region={AmplitudeRegion}, url={AmplitudeUrl}, organisation={Organisation})";
}

/// <summary><c>POST …/webhook-token</c>: <c>rotate</c> replaces an existing token.</summary>
public sealed record WebhookTokenBody(bool Rotate);

public sealed record AddDestinationBody(
    string? Name, string? IterableApiKey, string? UserProperty, string? IterableRegion, string? IterableUrl,
    double? RequestsPerSecond, double? MaxRequestsPerSecond, int? Concurrency)
{
    public override string ToString() => $"AddDestinationBody(name={Name}, region={IterableRegion}, url={IterableUrl})";
}

public sealed record UpdateDestinationBody(string? IterableApiKey, double? RequestsPerSecond, double? MaxRequestsPerSecond, int? Concurrency)
{
    public override string ToString() => "UpdateDestinationBody";
}

/// <summary>
/// <c>POST …/syncs</c>: as <c>sync start</c>; <c>cadence</c>, <c>guard</c>, <c>reconcileEvery</c>, <c>adopt</c> (<c>reconcile</c>|<c>keep</c>)
/// and <c>driftAudit</c> (<c>off</c>|<c>daily</c>|<c>Nh</c>) in the CLI's words.
/// </summary>
public sealed record StartSyncBody(string? CohortId, string? DestinationId, string? Cadence, string? Guard, string? ReconcileEvery,
    string? Adopt = null, string? DriftAudit = null);

/// <summary><c>POST …/syncs/{id}/update</c>: as <c>sync update</c>; <c>followRename</c> must be true, <c>list</c> keep (default), empty or delete.</summary>
public sealed record UpdateSyncBody(bool FollowRename, string? List);

/// <summary><c>POST …/upload</c>: the members of the next run, one identifier each; <c>run</c> starts that run at once.</summary>
public sealed record UploadBody(IReadOnlyList<string>? Identifiers, bool Run);

/// <summary><c>PUT …/upload/{uploadId}/chunks/{seq}</c>: <c>count</c> identifiers, one a line in <c>lines</c> (a chunk sent again replaces itself).</summary>
public sealed record UploadChunkBody(string? Lines, int Count);

/// <summary><c>POST …/upload/{uploadId}/commit</c>: every chunk arrived (<c>chunks</c>, <c>members</c> in all); <c>run</c> starts the run at once.</summary>
public sealed record CommitUploadBody(int Chunks, long Members, bool Run);

/// <summary>What <c>DELETE …/destinations/{id}</c> answers (the CLI's <c>destination remove --json</c>).</summary>
public sealed record RemovedDestinationAnswer(string ProjectId, string DestinationId, bool Removed);

/// <summary>What <c>POST …/webhook-token</c> answers, once (the CLI's <c>project webhook --json</c>).</summary>
public sealed record WebhookTokenAnswer(string Path, string Token);

/// <summary>What <c>GET /api/v1/token</c> answers: what the presented token may do (the console hides its buttons for a read-only one).</summary>
public sealed record TokenAccessAnswer(bool ReadOnly);

internal static class BodyRules
{
    public static string? Blank(string? value, string name) => string.IsNullOrWhiteSpace(value) ? $"'{name}' is required." : null;

    public static string? Region(string? region) =>
        region is null or "us" or "eu" ? null : $"'{region}' is not a region; use \"us\" or \"eu\".";

    public static string? AtMostOne(string? region, string? url, string service) =>
        region is not null && url is not null ? $"Give either {service}Region or {service}Url, not both." : null;
}
