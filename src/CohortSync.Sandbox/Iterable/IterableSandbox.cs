namespace CohortSync.Sandbox.Iterable;

/// <summary>
/// In-memory Iterable: projects reached through API keys, their static lists and users, and the fault switches.
/// The public methods are the admin surface for in-process tests; the HTTP endpoints use the internal ones.
/// </summary>
public sealed class IterableSandbox
{
    /// <summary>The key <c>--seed demo</c> registers.</summary>
    public const string DemoApiKey = "demo-iterable-key";

    private const long FirstProjectId = 1001;
    private const long FirstListId = 1_064_898;

    private readonly Lock _gate = new();
    private int _held;
    private readonly TimeProvider _time;
    private readonly IterableFaults _initialFaults;
    private Dictionary<string, IterableProject> _projectsByKey = new(StringComparer.Ordinal);
    private Dictionary<long, IterableProject> _projects = [];
    private long _nextProjectId = FirstProjectId;
    private long _nextListId = FirstListId;

    /// <summary>Requests being held back by <see cref="IterableFaults.LatencyMs"/> right now.</summary>
    public int HeldCalls => Volatile.Read(ref _held);

    private int _writing;
    private int _mostWriting;

    /// <summary>List writes (subscribe, unsubscribe) being answered right now, latency included.</summary>
    public int WritesInFlight => Volatile.Read(ref _writing);

    /// <summary>The most list writes that were being answered at once since start or <see cref="ResetMostWritesInFlight"/>.</summary>
    public int MostWritesInFlight => Volatile.Read(ref _mostWriting);

    public void ResetMostWritesInFlight() => Volatile.Write(ref _mostWriting, Volatile.Read(ref _writing));

    internal IDisposable Writing()
    {
        var now = Interlocked.Increment(ref _writing);
        for (var most = Volatile.Read(ref _mostWriting); now > most; most = Volatile.Read(ref _mostWriting))
        {
            if (Interlocked.CompareExchange(ref _mostWriting, now, most) == most) break;
        }
        return new WriteDone(this);
    }

    private sealed class WriteDone(IterableSandbox sandbox) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref sandbox._writing);
    }

    internal IDisposable Hold()
    {
        Interlocked.Increment(ref _held);
        return new Release(this);
    }

    private sealed class Release(IterableSandbox sandbox) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref sandbox._held);
    }

    public IterableSandbox(IterableFaults? faults = null, int maxSubscribersPerRequest = 1000, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _initialFaults = faults ?? IterableFaults.None;
        FaultInjector = new IterableFaultInjector(_initialFaults);
        MaxSubscribersPerRequest = maxSubscribersPerRequest;
    }

    /// <summary>
    /// getUsers and size requests one project may make a minute, each endpoint on its own (Iterable: 5); more are
    /// answered 429 RateLimitExceeded. 0: no limit.
    /// </summary>
    public int ListReadsPerMinute { get; set; } = 5;

    /// <summary>The window <see cref="ListReadsPerMinute"/> counts over: a minute, as Iterable's; shorter only to make tests quick.</summary>
    public TimeSpan ListReadWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Subscribe/unsubscribe calls with more subscribers are answered 400 BatchTooLarge.</summary>
    public int MaxSubscribersPerRequest { get; set; }

    /// <summary>The current fault switches; setting them restarts bursts and the random sequence.</summary>
    public IterableFaults Faults
    {
        get => FaultInjector.Current;
        set => FaultInjector.Configure(value);
    }

    internal IterableFaultInjector FaultInjector { get; }

    /// <summary>
    /// Registers <paramref name="apiKey"/>. Without <paramref name="projectId"/> a new project is made;
    /// with one, the key joins that project (a second or rotated key). Returns the project id.
    /// </summary>
    public long AddApiKey(string apiKey, long? projectId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        lock (_gate)
        {
            if (_projectsByKey.TryGetValue(apiKey, out var existing))
            {
                if (projectId is null || projectId == existing.Id)
                {
                    return existing.Id;
                }

                throw new InvalidOperationException("The key already belongs to another project.");
            }

            IterableProject project;
            if (projectId is { } id)
            {
                if (!_projects.TryGetValue(id, out project!))
                {
                    throw new KeyNotFoundException($"No sandbox Iterable project {id}.");
                }
            }
            else
            {
                project = new IterableProject(_nextProjectId++, _time);
                _projects[project.Id] = project;
            }

            _projectsByKey[apiKey] = project;
            return project.Id;
        }
    }

    /// <summary>The key stops working (401); the project and its lists stay.</summary>
    public bool RevokeApiKey(string apiKey)
    {
        lock (_gate)
        {
            return _projectsByKey.Remove(apiKey);
        }
    }

    /// <summary>Lists of the key's project, newest first, with their sizes.</summary>
    public IReadOnlyList<SandboxListInfo> GetLists(string apiKey) => Project(apiKey).Lists();

    /// <summary>A list's members in ordinal order.</summary>
    public IReadOnlyList<string> GetListMembers(string apiKey, long listId) =>
        Project(apiKey).Members(listId) ?? throw new KeyNotFoundException($"No list {listId} in this project.");

    /// <summary>Creates a list directly (no not-ready period); returns its id.</summary>
    public long CreateList(string apiKey, string name, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return CreateList(Project(apiKey), name, description, notReadySubscribes: 0);
    }

    /// <summary>Deletes a list as someone in Iterable's UI would. False when there was no such list.</summary>
    public bool DeleteList(string apiKey, long listId) => Project(apiKey).DeleteList(listId);

    /// <summary>Adds members to a list behind CohortSync's back (drift).</summary>
    public void AddListMembers(string apiKey, long listId, IEnumerable<string> identifiers)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        if (!Project(apiKey).AddMembers(listId, identifiers))
        {
            throw new KeyNotFoundException($"No list {listId} in this project.");
        }
    }

    /// <summary>Takes members out of a list behind CohortSync's back (drift); identifiers not in it are ignored.</summary>
    public void RemoveListMembers(string apiKey, long listId, IEnumerable<string> identifiers)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        if (!Project(apiKey).RemoveMembers(listId, identifiers))
        {
            throw new KeyNotFoundException($"No list {listId} in this project.");
        }
    }

    /// <summary>Marks userIds (or lowercase emails) so that Iterable refuses them from now on.</summary>
    public void MarkUsers(string apiKey, IterableUserMark mark, IEnumerable<string> identifiers)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        Project(apiKey).Mark(mark, identifiers);
    }

    /// <summary>Lifts every mark from these identifiers: Iterable takes them from now on.</summary>
    public void UnmarkUsers(string apiKey, IEnumerable<string> identifiers)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        Project(apiKey).Unmark(identifiers);
    }

    /// <summary>Forgets every key, project and list and restores the faults given at start.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _projectsByKey = new(StringComparer.Ordinal);
            _projects = [];
            _nextProjectId = FirstProjectId;
            _nextListId = FirstListId;
        }

        FaultInjector.Configure(_initialFaults);
    }

    internal IterableProject? FindProject(string? apiKey)
    {
        if (string.IsNullOrEmpty(apiKey))
        {
            return null;
        }

        lock (_gate)
        {
            return _projectsByKey.GetValueOrDefault(apiKey);
        }
    }

    internal long CreateList(IterableProject project, string name, string? description, int notReadySubscribes)
    {
        long listId;
        lock (_gate)
        {
            // Ids are unique across projects and increase with time, like Iterable's.
            listId = _nextListId++;
        }

        project.CreateList(listId, name, description, notReadySubscribes);
        return listId;
    }

    private IterableProject Project(string apiKey) =>
        FindProject(apiKey) ?? throw new KeyNotFoundException("Unknown sandbox Iterable API key.");
}
