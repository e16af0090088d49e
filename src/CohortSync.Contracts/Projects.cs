namespace CohortSync.Contracts;

/// <summary>Enables the integration for an Amplitude project. Secrets travel once, to the silo, and are encrypted there.</summary>
[GenerateSerializer, Immutable, Alias("cs.EnableProjectRequest")]
public sealed record EnableProjectRequest(
    [property: Id(0)] string AmplitudeApiKey,
    [property: Id(1)] string AmplitudeSecretKey,
    [property: Id(2)] string? AmplitudeRegion,
    [property: Id(3)] string? AmplitudeUrl)
{
    /// <summary>
    /// The Amplitude organisation the project belongs to: Amplitude counts the download quota per organisation, so
    /// projects named with the same organisation share counting, pacing and the quota. Null: the project is its own.
    /// </summary>
    [Id(55)] public string? Organisation { get; init; }

    public override string ToString() => $"EnableProjectRequest(region={AmplitudeRegion}, url={AmplitudeUrl}, organisation={Organisation})";
}

[GenerateSerializer, Immutable, Alias("cs.ProjectInfo")]
public sealed record ProjectInfo(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] bool Enabled,
    [property: Id(2)] string AmplitudeUrl,
    [property: Id(3)] string AmplitudeKeyHint,
    [property: Id(4)] int Destinations,
    [property: Id(5)] int Syncs,
    [property: Id(6)] DateTimeOffset? EnabledAt,
    [property: Id(7)] AmplitudeDownloads? Downloads = null,
    [property: Id(8)] bool WebhookTokenSet = false);

/// <summary>
/// A project's new webhook token, returned once by <c>project webhook</c>: Amplitude sends it as
/// <c>Authorization: Bearer …</c> to <see cref="Path"/>. The silo keeps only its SHA-256.
/// </summary>
[GenerateSerializer, Immutable, Alias("cs.WebhookTokenIssued")]
public sealed record WebhookTokenIssued(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string Path,
    [property: Id(2)] string Token,
    [property: Id(3)] bool Rotated)
{
    public override string ToString() => $"WebhookTokenIssued(project={ProjectId}, path={Path}, rotated={Rotated})";
}

/// <summary>What a presented webhook token is worth for a project.</summary>
[GenerateSerializer, Alias("cs.WebhookAccess")]
public enum WebhookAccess
{
    Granted = 0,
    /// <summary>No token, a wrong token, or the project has none.</summary>
    WrongToken = 1,
    /// <summary>The token is right but the project is disabled.</summary>
    ProjectDisabled = 2,
    UnknownProject = 3,
}

/// <summary>
/// The project's Amplitude cohort downloads this month (UTC) against the monthly quota: every run makes one.
/// <see cref="Projected"/> extends the pace so far to the end of the month; <see cref="Warning"/> is set when it passes the quota.
/// </summary>
[GenerateSerializer, Immutable, Alias("cs.AmplitudeDownloads")]
public sealed record AmplitudeDownloads(
    [property: Id(0)] string Month,
    [property: Id(1)] int Used,
    [property: Id(2)] int Projected,
    [property: Id(3)] int Quota,
    [property: Id(4)] string? Warning)
{
    /// <summary>Amplitude refused a download this month for the quota: downloads resume then (or after <c>project quota reset</c>); else null.</summary>
    [Id(30)] public DateTimeOffset? ExhaustedUntil { get; init; }

    /// <summary>
    /// The organisation whose quota this is, or null for a project that is its own; with one, <see cref="Used"/>,
    /// <see cref="Projected"/> and <see cref="Warning"/> are the organisation's.
    /// </summary>
    [Id(55)] public string? Organisation { get; init; }

    /// <summary>With an organisation: the downloads a month this project's schedule makes (its share of <see cref="Projected"/>).</summary>
    [Id(56)] public int? ProjectPlannedPerMonth { get; init; }
}
