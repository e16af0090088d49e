using System.Text;

namespace CohortSync.Sandbox.Amplitude;

/// <summary>
/// In-memory Amplitude projects and cohorts behind the sandbox's copy of the Behavioral Cohorts API.
/// Tests in the same process drive it through these methods; others use the /_admin/amplitude endpoints.
/// Thread-safe: one lock guards the maps; cohort sources are immutable and stream outside the lock.
/// It also plays Amplitude's cohort webhook sender (AmplitudeSandbox.Webhooks.cs).
/// </summary>
public sealed partial class AmplitudeSandbox(TimeProvider? timeProvider = null) : IAsyncDisposable
{
    public const string DemoApiKey = "demo-amplitude-key";
    public const string DemoSecretKey = "demo-amplitude-secret";

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Project> _projects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CohortRequest> _requests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileLink> _links = new(StringComparer.Ordinal);
    private readonly AmplitudeWebhookSender _webhooks = new(timeProvider ?? TimeProvider.System);
    private long _nextAppId = 100_001;
    private int _held;

    /// <summary>Calls of the cohort API being held back by <see cref="AmplitudeFaults.LatencyMs"/> right now.</summary>
    public int HeldCalls => Volatile.Read(ref _held);

    /// <summary>Creates or replaces a project's keys and settings; its cohorts, faults and request log stay.</summary>
    public AmplitudeProjectSummary PutProject(string apiKey, AmplitudeProjectDefinition definition)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrEmpty(definition.SecretKey);
        var settings = definition.Settings ?? new AmplitudeProjectSettings();
        if (settings.InProgressPolls < 0 || settings.FileLinkSeconds <= 0)
        {
            throw new ArgumentException("inProgressPolls must not be negative and fileLinkSeconds must be positive.");
        }

        if (settings.FilesOrigin is not null && !Uri.TryCreate(settings.FilesOrigin, UriKind.Absolute, out _))
        {
            throw new ArgumentException("filesOrigin must be an absolute URL.");
        }

        lock (_lock)
        {
            if (!_projects.TryGetValue(apiKey, out var project))
            {
                project = new Project(apiKey);
                _projects[apiKey] = project;
            }

            project.SecretKey = definition.SecretKey;
            project.AppId = definition.AppId ?? project.AppId ?? _nextAppId++;
            project.Settings = settings;
            return project.Summary();
        }
    }

    public AmplitudeProjectSummary PutProject(string apiKey, string secretKey, AmplitudeProjectSettings? settings = null) =>
        PutProject(apiKey, new AmplitudeProjectDefinition(secretKey, Settings: settings));

    public bool DeleteProject(string apiKey)
    {
        lock (_lock)
        {
            _webhooks.Remove(apiKey);
            return _projects.Remove(apiKey);
        }
    }

    public IReadOnlyList<AmplitudeProjectSummary> GetProjects()
    {
        lock (_lock)
        {
            return _projects.Values.Select(p => p.Summary()).ToArray();
        }
    }

    public AmplitudeProjectSummary? GetProject(string apiKey)
    {
        lock (_lock)
        {
            return _projects.GetValueOrDefault(apiKey)?.Summary();
        }
    }

    /// <summary>
    /// Creates or replaces a cohort. Requests already made keep the members they saw. When the project has a webhook
    /// destination and the members are explicit (before and after, or the cohort is new), who entered and who left is
    /// queued for sending.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such project.</exception>
    /// <exception cref="ArgumentException">The definition is not exactly one of members, generated or raw, or is invalid.</exception>
    public AmplitudeCohortSummary PutCohort(string apiKey, string cohortId, AmplitudeCohortDefinition definition)
    {
        ArgumentException.ThrowIfNullOrEmpty(cohortId);
        ArgumentNullException.ThrowIfNull(definition);
        var source = SourceOf(definition);
        var cohort = new Cohort(cohortId, definition.Name ?? cohortId, definition.Description ?? "", source,
            _time.GetUtcNow().ToUnixTimeMilliseconds());
        lock (_lock)
        {
            var cohorts = ProjectOrThrow(apiKey).Cohorts;
            var previous = cohorts.GetValueOrDefault(cohortId);
            cohorts[cohortId] = cohort;
            // Under the lock, so two changes of one cohort are queued in the order they were made.
            QueueChange(apiKey, cohort, previous);
        }

        return cohort.Summary();
    }

    public AmplitudeCohortSummary PutMembers(string apiKey, string cohortId, string name, IEnumerable<AmplitudeMember> members) =>
        PutCohort(apiKey, cohortId, new AmplitudeCohortDefinition(name, Members: members.ToArray()));

    public AmplitudeCohortSummary PutGenerated(string apiKey, string cohortId, string name, GeneratedCohortSpec spec) =>
        PutCohort(apiKey, cohortId, new AmplitudeCohortDefinition(name, Generated: spec));

    public AmplitudeCohortSummary PutRaw(string apiKey, string cohortId, string name, string body, long size = 0) =>
        PutCohort(apiKey, cohortId, new AmplitudeCohortDefinition(name, Raw: new RawCohortFile(Text: body, Size: size)));

    public bool DeleteCohort(string apiKey, string cohortId)
    {
        lock (_lock)
        {
            return _projects.TryGetValue(apiKey, out var project) && project.Cohorts.Remove(cohortId);
        }
    }

    public AmplitudeCohortSummary? GetCohort(string apiKey, string cohortId)
    {
        lock (_lock)
        {
            return _projects.GetValueOrDefault(apiKey)?.Cohorts.GetValueOrDefault(cohortId)?.Summary();
        }
    }

    public IReadOnlyList<AmplitudeCohortSummary> GetCohorts(string apiKey)
    {
        lock (_lock)
        {
            return ProjectOrThrow(apiKey).Cohorts.Values.Select(c => c.Summary()).ToArray();
        }
    }

    /// <summary>Replaces the project's pending faults.</summary>
    public void SetFaults(string apiKey, AmplitudeFaults faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        if (faults.DownloadFailures < 0 || faults.FailingJobs < 0 || faults.AbortedDownloads < 0 || faults.LinkFailures < 0
            || faults.DownloadFailureStatus is < 400 or > 599 || faults.LinkFailureStatus is < 400 or > 599)
        {
            throw new ArgumentException("Fault counts must not be negative and the download status must be 4xx or 5xx.");
        }

        lock (_lock)
        {
            ProjectOrThrow(apiKey).Faults = faults;
        }
    }

    /// <summary>Every cohort request of the project, oldest first.</summary>
    public IReadOnlyList<AmplitudeCohortRequestRecord> GetRequests(string apiKey)
    {
        lock (_lock)
        {
            return ProjectOrThrow(apiKey).Requests.Select(r => r.Record()).ToArray();
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _webhooks.Reset();
            _projects.Clear();
            _requests.Clear();
            _links.Clear();
        }
    }

    /// <summary>
    /// The demo project: <c>power-users</c> (1,200 members, ~5% without user_id, <c>email_hash</c> on ~90%) and
    /// <c>churn-risk</c> (300 members, 200 of them also power users). Same seed and prefix, so the same users.
    /// </summary>
    public void SeedDemo()
    {
        PutProject(DemoApiKey, DemoSecretKey);
        PutGenerated(DemoApiKey, "power-users", "Power users", new GeneratedCohortSpec(
            Count: 1200, Seed: 2024, IdPrefix: "demo-user-", PropertyName: "email_hash",
            MissingPropertyFraction: 0.1, MissingUserIdFraction: 0.05));
        PutGenerated(DemoApiKey, "churn-risk", "Churn risk", new GeneratedCohortSpec(
            Count: 300, Seed: 2024, IdPrefix: "demo-user-", Offset: 1000, PropertyName: "email_hash",
            MissingPropertyFraction: 0.1, MissingUserIdFraction: 0.05));
    }

    // ---- what the wire endpoints need ----

    /// <summary>Holds an authenticated call back for its project's <see cref="AmplitudeFaults.LatencyMs"/>.</summary>
    internal async Task DelayAsync(string? authorization, CancellationToken ct)
    {
        var latency = Authenticate(authorization)?.Faults.LatencyMs ?? 0;
        if (latency <= 0) return;
        Interlocked.Increment(ref _held);
        try { await Task.Delay(TimeSpan.FromMilliseconds(latency), _time, ct); }
        finally { Interlocked.Decrement(ref _held); }
    }

    internal Project? Authenticate(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string pair;
        try
        {
            pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = pair.IndexOf(':');
        if (colon < 0)
        {
            return null;
        }

        lock (_lock)
        {
            return _projects.TryGetValue(pair[..colon], out var project) && project.SecretKey == pair[(colon + 1)..]
                ? project
                : null;
        }
    }

    internal IReadOnlyList<(Cohort Cohort, long AppId)> ListCohorts(Project project)
    {
        lock (_lock)
        {
            return project.Cohorts.Values.Select(c => (c, project.AppId ?? 0)).ToArray();
        }
    }

    /// <summary>Starts an export job over a snapshot of the cohort; null when the cohort does not exist.</summary>
    /// <summary>Whether the project has made as many download requests as its <see cref="AmplitudeProjectSettings.MonthlyDownloadQuota"/>.</summary>
    internal bool QuotaUsedUp(Project project)
    {
        lock (_lock) return project.Settings.MonthlyDownloadQuota is { } quota && project.Requests.Count >= quota;
    }

    internal CohortRequest? StartRequest(Project project, string cohortId, bool props, IReadOnlyList<string> propKeys, string query)
    {
        lock (_lock)
        {
            if (!project.Cohorts.TryGetValue(cohortId, out var cohort))
            {
                return null;
            }

            string? failedStatus = null;
            if (project.Faults.FailingJobs > 0)
            {
                failedStatus = project.Faults.FailedJobStatus;
                project.Faults = project.Faults with { FailingJobs = project.Faults.FailingJobs - 1 };
            }

            var request = new CohortRequest(
                Guid.NewGuid().ToString("N"), project, cohortId, cohort.Source,
                props ? (propKeys.Count > 0 ? propKeys : cohort.Source.PropertyKeys) : null,
                props, propKeys, query, project.Settings.InProgressPolls, failedStatus, _time.GetUtcNow());
            _requests[request.Id] = request;
            project.Requests.Add(request);
            return request;
        }
    }

    /// <summary>Counts a status poll and says where the job stands; null when the project has no such request.</summary>
    internal (CohortRequest Request, string Status)? Poll(Project project, string requestId)
    {
        lock (_lock)
        {
            if (!_requests.TryGetValue(requestId, out var request) || request.Project != project)
            {
                return null;
            }

            request.StatusPolls++;
            return (request, StatusOf(request));
        }
    }

    internal FileAnswer AnswerFileRequest(Project project, string requestId)
    {
        lock (_lock)
        {
            if (!_requests.TryGetValue(requestId, out var request) || request.Project != project)
            {
                return new FileAnswer.NotFound();
            }

            request.FileRequests++;
            if (project.Faults.DownloadFailures > 0)
            {
                project.Faults = project.Faults with { DownloadFailures = project.Faults.DownloadFailures - 1 };
                return new FileAnswer.Fault(project.Faults.DownloadFailureStatus);
            }

            var status = StatusOf(request);
            if (status != AmplitudeSandboxEndpoints.JobCompleted)
            {
                return new FileAnswer.NotReady(status);
            }

            if (!project.Settings.RedirectDownloads)
            {
                request.FilesServed++;
                return new FileAnswer.Serve(request);
            }

            var token = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
            _links[token] = new FileLink(request, _time.GetUtcNow().AddSeconds(project.Settings.FileLinkSeconds));
            return new FileAnswer.Redirect(token, project.Settings.FilesOrigin);
        }
    }

    /// <summary>Uses up a download link: the request it serves, a storage-side failure, or gone (unknown, used, expired).</summary>
    internal LinkAnswer RedeemLink(string token)
    {
        lock (_lock)
        {
            if (!_links.TryGetValue(token, out var link) || link.ExpiresAt < _time.GetUtcNow())
            {
                _links.Remove(token);
                return new LinkAnswer.Gone();
            }

            var project = link.Request.Project;
            if (project.Faults.LinkFailures > 0)
            {
                project.Faults = project.Faults with { LinkFailures = project.Faults.LinkFailures - 1 };
                return new LinkAnswer.Fault(project.Faults.LinkFailureStatus);
            }

            _links.Remove(token);
            link.Request.FilesServed++;
            return new LinkAnswer.Serve(link.Request);
        }
    }

    /// <summary>True when this body is to be cut off (and the fault counter goes down).</summary>
    internal bool TakeDownloadAbort(Project project)
    {
        lock (_lock)
        {
            if (project.Faults.AbortedDownloads == 0)
            {
                return false;
            }

            project.Faults = project.Faults with { AbortedDownloads = project.Faults.AbortedDownloads - 1 };
            return true;
        }
    }

    internal void CountGzipped(CohortRequest request)
    {
        lock (_lock)
        {
            request.FilesGzipped++;
        }
    }

    private static string StatusOf(CohortRequest request) =>
        request.StatusPolls <= request.InProgressPolls ? AmplitudeSandboxEndpoints.JobInProgress
        : request.FailedStatus ?? AmplitudeSandboxEndpoints.JobCompleted;

    private Project ProjectOrThrow(string apiKey) =>
        _projects.GetValueOrDefault(apiKey) ?? throw new KeyNotFoundException($"No Amplitude project '{apiKey}' in the sandbox.");

    private static CohortSource SourceOf(AmplitudeCohortDefinition definition)
    {
        var given = (definition.Members is null ? 0 : 1) + (definition.Generated is null ? 0 : 1) + (definition.Raw is null ? 0 : 1);
        if (given != 1)
        {
            throw new ArgumentException("A cohort needs exactly one of members, generated or raw.");
        }

        if (definition.Members is not null)
        {
            return new ExplicitCohortSource(definition.Members);
        }

        if (definition.Generated is not null)
        {
            return new GeneratedCohortSource(definition.Generated);
        }

        var raw = definition.Raw!;
        if ((raw.Text is null) == (raw.Base64 is null))
        {
            throw new ArgumentException("A raw cohort needs exactly one of text or base64.");
        }

        try
        {
            return new RawCohortSource(raw.Text is not null ? Encoding.UTF8.GetBytes(raw.Text) : Convert.FromBase64String(raw.Base64!), raw.Size);
        }
        catch (FormatException)
        {
            throw new ArgumentException("base64 is not valid Base64.");
        }
    }

    internal sealed class Project(string apiKey)
    {
        public string ApiKey { get; } = apiKey;
        public string SecretKey { get; set; } = "";
        public long? AppId { get; set; }
        public AmplitudeProjectSettings Settings { get; set; } = new();
        public AmplitudeFaults Faults { get; set; } = new();
        public Dictionary<string, Cohort> Cohorts { get; } = new(StringComparer.Ordinal);
        public List<CohortRequest> Requests { get; } = [];

        public AmplitudeProjectSummary Summary() => new(ApiKey, AppId ?? 0, Cohorts.Count, Settings, Faults);
    }

    internal sealed record Cohort(string Id, string Name, string Description, CohortSource Source, long LastComputed)
    {
        public AmplitudeCohortSummary Summary() => new(Id, Name, Source.Size, Source.Kind, LastComputed);
    }

    /// <summary>One export job: a snapshot of the cohort's source plus what the caller asked and did.</summary>
    internal sealed class CohortRequest(
        string id, Project project, string cohortId, CohortSource source, IReadOnlyList<string>? propertyKeys,
        bool props, IReadOnlyList<string> propKeys, string query, int inProgressPolls, string? failedStatus,
        DateTimeOffset requestedAt)
    {
        public string Id { get; } = id;
        public Project Project { get; } = project;
        public string CohortId { get; } = cohortId;
        public CohortSource Source { get; } = source;

        /// <summary>The property columns of the file; null when props were not requested.</summary>
        public IReadOnlyList<string>? PropertyKeys { get; } = propertyKeys;
        public int InProgressPolls { get; } = inProgressPolls;
        public string? FailedStatus { get; } = failedStatus;
        public int StatusPolls { get; set; }
        public int FileRequests { get; set; }
        public int FilesServed { get; set; }
        public int FilesGzipped { get; set; }

        public AmplitudeCohortRequestRecord Record() =>
            new(Id, CohortId, props, propKeys, query, StatusPolls, FileRequests, FilesServed, FilesGzipped, requestedAt);
    }

    private sealed record FileLink(CohortRequest Request, DateTimeOffset ExpiresAt);

    internal abstract record LinkAnswer
    {
        public sealed record Gone : LinkAnswer;
        public sealed record Fault(int Status) : LinkAnswer;
        public sealed record Serve(CohortRequest Request) : LinkAnswer;
    }

    internal abstract record FileAnswer
    {
        public sealed record NotFound : FileAnswer;
        public sealed record Fault(int Status) : FileAnswer;
        public sealed record NotReady(string Status) : FileAnswer;
        public sealed record Serve(CohortRequest Request) : FileAnswer;
        public sealed record Redirect(string Token, string? Origin) : FileAnswer;
    }
}
