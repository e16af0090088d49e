using CohortSync.Amplitude;
using CohortSync.Contracts;
using CohortSync.Grains.Secrets;

namespace CohortSync.Grains.Projects;

[GenerateSerializer, Alias("cs.ProjectState")]
public sealed class ProjectState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public bool Enabled { get; set; }
    [Id(2)] public string AmplitudeUrl { get; set; } = "";
    [Id(3)] public string AmplitudeKeyCipher { get; set; } = "";
    [Id(4)] public string AmplitudeSecretCipher { get; set; } = "";
    [Id(5)] public string AmplitudeKeyHint { get; set; } = "";
    [Id(6)] public DateTimeOffset? EnabledAt { get; set; }
    [Id(7)] public List<string> Destinations { get; set; } = [];
    [Id(8)] public List<SyncIndexEntry> Syncs { get; set; } = [];
    /// <summary>SHA-256 of the webhook token (never the token), or null while none was issued.</summary>
    [Id(9)] public byte[]? WebhookTokenHash { get; set; }
    /// <summary>The Amplitude organisation whose download quota the project shares, or null: the project is its own.</summary>
    [Id(55)] public string? Organisation { get; set; }

    /// <summary>Validates the Amplitude credentials and endpoint of <c>project enable</c>, and stores them encrypted.</summary>
    public void Enable(EnableProjectRequest request, SecretProtector secrets, DateTimeOffset now)
    {
        Require.NotBlank(request.AmplitudeApiKey, "the Amplitude API key");
        Require.NotBlank(request.AmplitudeSecretKey, "the Amplitude secret key");
        var url = Require.Endpoint(request.AmplitudeRegion, request.AmplitudeUrl, "us", AmplitudeRegions.Resolve);
        var organisation = string.IsNullOrWhiteSpace(request.Organisation) ? null : request.Organisation.Trim();
        if (organisation is not null && !GrainKeys.IsValidId(organisation))
            throw new CohortSyncException(ErrorCodes.InvalidArgument, $"'{organisation}' is not a valid organisation name (1–64 letters, digits, '.', '_' or '-')");
        Organisation = organisation;
        (Exists, Enabled, AmplitudeUrl) = (true, true, url.ToString().TrimEnd('/'));
        AmplitudeKeyCipher = secrets.Protect(request.AmplitudeApiKey.Trim());
        AmplitudeSecretCipher = secrets.Protect(request.AmplitudeSecretKey.Trim());
        AmplitudeKeyHint = SecretProtector.Hint(request.AmplitudeApiKey.Trim());
        EnabledAt ??= now;
    }

    public void RequireExists(string projectId)
    {
        if (!Exists)
            throw new CohortSyncException(ErrorCodes.UnknownProject, $"project {projectId} is not enabled (run 'cohortsync project enable {projectId}')");
    }

    public void RequireEnabled(string projectId)
    {
        RequireExists(projectId);
        if (!Enabled)
            throw new CohortSyncException(ErrorCodes.ProjectDisabled, $"project {projectId} is disabled (run 'cohortsync project enable {projectId}')");
    }

    public void RequireDestination(string projectId, string destinationId)
    {
        RequireExists(projectId);
        if (!Destinations.Contains(destinationId)) throw UnknownDestination(projectId, destinationId);
    }

    public static CohortSyncException UnknownDestination(string projectId, string destinationId) =>
        new(ErrorCodes.UnknownDestination, $"project {projectId} has no destination '{destinationId}'");
}

[GenerateSerializer, Immutable, Alias("cs.SyncIndexEntry")]
public sealed record SyncIndexEntry(
    [property: Id(0)] string SyncId,
    [property: Id(1)] string CohortId,
    [property: Id(2)] string DestinationId)
{
    /// <summary>The sync's cadence; null in entries written before it was kept here (counted as unknown).</summary>
    [Id(3)] public Cadence? Cadence { get; init; }

    /// <summary>A realtime sync's own reconciliation interval; null: auto.</summary>
    [Id(4)] public TimeSpan? ReconcileEvery { get; init; }

    /// <summary>The sync was stopped (it told the project): it downloads nothing more.</summary>
    [Id(5)] public bool Stopped { get; init; }

    public bool ReconcilesOnAuto => !Stopped && Cadence is { IsRealtime: true } && ReconcileEvery is null;

    /// <summary>
    /// Downloads a month of a live sync that does not reconcile on auto: 0 for a one-time sync (its one download is
    /// made when it starts) and when its cadence is unknown.
    /// </summary>
    public int FixedDownloadsPerMonth => Stopped ? 0 : Cadence switch
    {
        null or { IsRecurring: false } => 0,
        { IsRealtime: true } => ReconcileEvery is { } every ? Core.Scheduling.DownloadQuota.PerMonth(every) : 0,
        var cadence => cadence.DownloadsPerMonth(DateTimeOffset.UtcNow),
    };
}
