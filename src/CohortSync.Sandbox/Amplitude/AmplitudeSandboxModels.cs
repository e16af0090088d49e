using System.Text.Json;
using System.Text.Json.Serialization;

namespace CohortSync.Sandbox.Amplitude;

// Shapes of the /_admin/amplitude endpoints, shared by AmplitudeSandbox (in-process) and SandboxAdminClient (HTTP).

/// <summary>An Amplitude project as the sandbox knows it; <c>PUT /_admin/amplitude/projects/{apiKey}</c>.</summary>
public sealed record AmplitudeProjectDefinition(
    string SecretKey,
    long? AppId = null,
    AmplitudeProjectSettings? Settings = null);

/// <summary>How the project's cohort API behaves; every field has Amplitude-like defaults.</summary>
public sealed record AmplitudeProjectSettings
{
    /// <summary>Status polls answered 202 "JOB INPROGRESS" before the job reports completed.</summary>
    public int InProgressPolls { get; init; } = 1;

    /// <summary>
    /// Cohort download requests the project may make; beyond it, a request is refused with HTTP 429 and Amplitude's
    /// "monthly cohort download limit reached" (null: no quota). The real quota is per organisation and per month.
    /// </summary>
    public int? MonthlyDownloadQuota { get; init; }

    /// <summary>Answer the file endpoint with 302 to a one-time <c>/_files/{token}</c> link, as Amplitude does with S3.</summary>
    public bool RedirectDownloads { get; init; } = true;

    /// <summary>Gzip the file when the request accepts it.</summary>
    public bool Gzip { get; init; } = true;

    /// <summary>Origin put in the redirect (e.g. a second listener, to test cross-origin); null = the request's own.</summary>
    public string? FilesOrigin { get; init; }

    /// <summary>How long a download link stays valid (Amplitude's S3 links: one minute).</summary>
    public int FileLinkSeconds { get; init; } = 60;
}

/// <summary>
/// Failures to inject; <c>PUT /_admin/amplitude/projects/{apiKey}/faults</c>. Counters go down as they fire.
/// </summary>
/// <param name="DownloadFailures">The next N calls of the file endpoint answer <paramref name="DownloadFailureStatus"/>.</param>
/// <param name="FailingJobs">The next N cohort requests end with <paramref name="FailedJobStatus"/> instead of completing.</param>
/// <param name="AbortedDownloads">The next N file bodies stop after a few bytes and the connection is reset
/// (before or after the client has read the headers, as TCP has it).</param>
/// <param name="LinkFailures">The next N uses of a download link answer <paramref name="LinkFailureStatus"/>
/// (S3's 500 InternalError by default; 403 plays an expired link); the link stays valid.</param>
/// <param name="LatencyMs">Every authenticated call of the cohort API waits this long before it is answered (a slow Amplitude).</param>
public sealed record AmplitudeFaults(
    int DownloadFailures = 0,
    int DownloadFailureStatus = 503,
    int FailingJobs = 0,
    string FailedJobStatus = "JOB FAILED",
    int AbortedDownloads = 0,
    int LinkFailures = 0,
    int LinkFailureStatus = 500,
    int LatencyMs = 0);

public sealed record AmplitudeProjectSummary(
    string ApiKey, long AppId, int Cohorts, AmplitudeProjectSettings Settings, AmplitudeFaults Faults);

/// <summary>
/// A cohort; <c>PUT /_admin/amplitude/projects/{apiKey}/cohorts/{cohortId}</c>. Give exactly one of
/// <paramref name="Members"/>, <paramref name="Generated"/> or <paramref name="Raw"/>.
/// </summary>
public sealed record AmplitudeCohortDefinition(
    string Name,
    IReadOnlyList<AmplitudeMember>? Members = null,
    GeneratedCohortSpec? Generated = null,
    RawCohortFile? Raw = null,
    string? Description = null);

public sealed record AmplitudeMember(
    long AmplitudeId,
    string? UserId = null,
    IReadOnlyDictionary<string, string?>? Properties = null);

/// <summary>
/// A synthetic cohort produced row by row while the file streams. Member <c>i</c> of the population named by
/// (<see cref="Seed"/>, <see cref="IdPrefix"/>) has amplitude_id <c>1000000000 + i</c>, user_id
/// <c>IdPrefix + i</c> (absent for a seeded fraction) and, when <see cref="PropertyName"/> is set, a property
/// value of 16 hex digits that is unique per member (absent for a seeded fraction).
/// The cohort holds indices [<see cref="Offset"/>, Offset + Count), minus removals, plus additions:
/// <list type="bullet">
/// <item><see cref="RemoveFraction"/> drops a seeded fraction of those indices, <see cref="Removed"/> drops ranges;</item>
/// <item><see cref="AddCount"/> appends indices [Offset + Count, Offset + Count + AddCount), <see cref="Added"/> appends ranges.</item>
/// </list>
/// "The same cohort with 1% churn" is the same spec plus <c>RemoveFraction = 0.01, AddCount = Count / 100</c>.
/// </summary>
public sealed record GeneratedCohortSpec(
    long Count,
    long Seed = 1,
    string IdPrefix = "user-",
    long Offset = 0,
    string? PropertyName = null,
    double MissingPropertyFraction = 0,
    double MissingUserIdFraction = 0,
    double RemoveFraction = 0,
    long AddCount = 0,
    IReadOnlyList<IndexRange>? Removed = null,
    IReadOnlyList<IndexRange>? Added = null);

/// <summary>Member indices [<paramref name="From"/>, <paramref name="To"/>).</summary>
public sealed record IndexRange(long From, long To);

/// <summary>A file body served byte for byte, whatever was requested: for malformed-file tests.</summary>
/// <param name="Text">The body as UTF-8 text.</param>
/// <param name="Base64">Or the body as bytes (binary garbage).</param>
/// <param name="Size">The size reported in the cohort list.</param>
public sealed record RawCohortFile(string? Text = null, string? Base64 = null, long Size = 0);

public sealed record AmplitudeCohortSummary(string Id, string Name, long Size, string Kind, long LastComputed);

/// <summary>One call of <c>/api/5/cohorts/request/{id}</c> and what followed; the sandbox's request log.</summary>
/// <param name="Query">The query string exactly as received.</param>
/// <param name="FileRequests">Calls of the file endpoint, failed ones included.</param>
/// <param name="FilesServed">Bodies actually sent (directly or through the one-time link).</param>
/// <param name="FilesGzipped">Of those, bodies sent with Content-Encoding: gzip.</param>
public sealed record AmplitudeCohortRequestRecord(
    string RequestId,
    string CohortId,
    bool Props,
    IReadOnlyList<string> PropKeys,
    string Query,
    int StatusPolls,
    int FileRequests,
    int FilesServed,
    int FilesGzipped,
    DateTimeOffset RequestedAt);

public static class AmplitudeSandboxJson
{
    /// <summary>Options of every /_admin/amplitude body, independent of how the host configures JSON.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
