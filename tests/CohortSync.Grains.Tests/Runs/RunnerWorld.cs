using CohortSync.Contracts;
using CohortSync.Core.Identity;
using CohortSync.Grains.Runs;
using CohortSync.Iterable;
using CohortSync.Iterable.Hosting;
using CohortSync.Sandbox;
using CohortSync.Sandbox.RequestLogging;
using CohortSync.Storage;
using CohortSync.Storage.Migrations;
using CohortSync.Storage.Refused;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// One sync's world without a silo: the sandbox's Iterable on loopback reached through the production list client
/// (DI, resilience handler, tiny backoffs), and in-memory fakes for the cohort, the list directory, the download
/// permits and the snapshot store. The runner's key and the directory's key belong to the same sandbox project, so
/// revoking the runner's key leaves the directory working.
/// </summary>
public sealed class RunnerWorld : IAsyncDisposable
{
    public const string ProjectId = "p1";
    public const string SyncKey = "p1/s1";
    public const string CohortId = "c1";
    public const string CohortName = "Power users";
    public const int IterableRetries = 2;

    private readonly ServiceProvider _services;

    private readonly SentRequestCounter _sent;

    private readonly string _folder;

    private RunnerWorld(SandboxServer sandbox, ServiceProvider services, SentRequestCounter sent, string folder, IRefusedMemberStore refused)
    {
        _folder = folder;
        Refused = refused;
        Sandbox = sandbox;
        _services = services;
        _sent = sent;
        OwnerKey = "owner-key-" + Guid.NewGuid().ToString("N");
        ClientKey = "runner-key-" + Guid.NewGuid().ToString("N");
        sandbox.Iterable.AddApiKey(ClientKey, sandbox.Iterable.AddApiKey(OwnerKey));
        Lists = new FakeListDirectory(sandbox.Iterable, OwnerKey);
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        Runner = new SyncRunner(Snapshots, refused, new LargeRunSlots(options), Permits, new ClusterRetry(options, TimeProvider.System), options,
            NullLogger<SyncRunner>.Instance);
    }

    public SandboxServer Sandbox { get; }

    /// <summary>The project's key the directory and the test's look-ups use; never revoked.</summary>
    public string OwnerKey { get; }

    /// <summary>The key the runner's Iterable client sends.</summary>
    public string ClientKey { get; }

    /// <summary>
    /// Read by the runner when it needs them, so a test may change them before a run. Batches of 3 make several
    /// batches of a small cohort; no cluster-retry window and no waiting on a list Iterable calls missing.
    /// </summary>
    /// <summary>One request in flight, so a test can say which batch meets a fault; <c>RequestsInFlightTests</c> raise it.</summary>
    public SyncEngineOptions Options { get; } = new() { BatchSize = 3, ClusterRetryWindow = TimeSpan.Zero, NewListRetries = 0, RequestsInFlight = 1 };

    public FakeCohortSource Cohort { get; } = new(CohortId, CohortName);

    /// <summary>The destination's own requests in flight (<c>--concurrency</c>); null: <see cref="Options"/> decides.</summary>
    public int? DestinationConcurrency { get; set; }

    /// <summary>Off unless a test is about the guard: the runner's other tests empty small lists freely.</summary>
    public RemovalGuard Guard { get; set; } = RemovalGuard.None;

    /// <summary>Changes pushed for the cohort (a realtime sync); null: the sync does not follow them.</summary>
    public FakeMemberChanges? Changes { get; set; }

    /// <summary>The sync's cursor in <see cref="Changes"/>: what is already in the list.</summary>
    public long ChangesAfter { get; set; }

    /// <summary>The next run applies the pushed changes instead of downloading the cohort.</summary>
    public bool ApplyChanges { get; set; }

    /// <summary>Removals an operator approved for the next run (<c>sync approve</c>).</summary>
    public long? ApprovedRemovals { get; set; }

    public FakeListDirectory Lists { get; }

    public FakeDownloadPermits Permits { get; } = new();

    public InMemorySnapshotStore Snapshots { get; } = new();

    /// <summary>The refused members, with reasons, in a real SQLite file of the world's own.</summary>
    public IRefusedMemberStore Refused { get; }

    /// <summary>The run's start as the runner sees it (the clock of the refused members' cooldown); null: now.</summary>
    public DateTimeOffset? Now { get; set; }

    /// <summary>The next run sends refused members again whatever their cooldown (<c>sync run --retry-refused</c>).</summary>
    public bool RetryRefused { get; set; }

    public SyncRunner Runner { get; }

    /// <summary>The list ids handed to onListReady, with how many Iterable requests had been sent by then.</summary>
    public List<(long ListId, string ListName, int SentBefore)> ListsReady { get; } = [];

    /// <summary>HTTP attempts the runner's clients have made to Iterable so far, retries included.</summary>
    public int Sent => _sent.Answered;

    /// <summary>The list id the sync's state holds: the latest one a run reported ready.</summary>
    public long? ListId => ListsReady.Count == 0 ? null : ListsReady[^1].ListId;

    public static async Task<RunnerWorld> StartAsync()
    {
        var sandbox = await SandboxServer.StartAsync();
        var sent = new SentRequestCounter();
        var services = new ServiceCollection();
        services.AddIterableClient(client =>
        {
            client.MaxRetries = IterableRetries;
            client.BaseDelay = TimeSpan.FromMilliseconds(1);
            client.MaxDelay = TimeSpan.FromMilliseconds(5);
        }).AddHttpMessageHandler(() => sent);
        var folder = Directory.CreateTempSubdirectory("cohortsync-runner-").FullName;
        var database = SqliteConnectionStrings.ForFile(Path.Combine(folder, "runner.db"));
        await new DatabaseMigrator().MigrateAsync(StorageBackend.Sqlite, database, CancellationToken.None);
        return new RunnerWorld(sandbox, services.BuildServiceProvider(validateScopes: true), sent, folder, SqlRefusedMemberStore.Sqlite(database));
    }

    /// <summary>A run of the sync as its grain would start it: the stored list id, a client gated for this run's tally.</summary>
    public Task<RunResult> RunAsync(RunTally? tally = null, Action<int>? beforeWrite = null) =>
        RunAsync(tally, beforeWrite is null ? null : write => { beforeWrite(write); return Task.CompletedTask; }, CancellationToken.None);

    /// <param name="beforeWrite">Awaited just before the Nth write goes out (the others in flight go on meanwhile).</param>
    public Task<RunResult> RunAsync(RunTally? tally, Func<int, Task>? beforeWrite, CancellationToken ct)
    {
        tally ??= new RunTally();
        return Runner.RunAsync(Request(tally, beforeWrite), tally, (listId, listName) =>
        {
            ListsReady.Add((listId, listName, _sent.Answered));
            return Task.CompletedTask;
        }, () =>
        {
            OwnerChecks++;
            return OwnerLost is { } lost ? Task.FromException(lost) : Task.CompletedTask;
        }, ct);
    }

    /// <summary>Times a run asked whether it still owns the sync (the grain's ETag-checked checkpoint).</summary>
    public int OwnerChecks { get; private set; }

    /// <summary>What the owner check throws, as the grain's checkpoint would when another activation took over; null: still the owner.</summary>
    public Exception? OwnerLost { get; set; }

    public Task<PreviewResult> PreviewAsync() => Runner.PreviewAsync(Request(new RunTally(), null), CancellationToken.None);

    /// <summary>The request log's position now: calls made from here on are read with <see cref="IterableCallsSinceAsync"/>.</summary>
    public long Mark() => Sandbox.Requests.LastSequence;

    /// <summary>Iterable list calls the sandbox answered after <paramref name="sequence"/>, once it has logged every one the client made.</summary>
    public async Task<IReadOnlyList<RequestLogEntry>> IterableCallsSinceAsync(long sequence)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (IterableCalls(0).Count < _sent.Answered) await Task.Delay(10, patience.Token);
        return IterableCalls(sequence);
    }

    /// <summary>The identifiers Iterable accepted in calls to <paramref name="path"/> after <paramref name="sequence"/>.</summary>
    public async Task<IReadOnlyList<string>> SentSinceAsync(long sequence, string path) =>
        [.. (await IterableCallsSinceAsync(sequence)).Where(entry => entry.Path == path && entry.Status == 200).SelectMany(entry => entry.UserIds ?? [])];

    public IReadOnlyList<string> ListMembers(long listId) => Sandbox.Iterable.GetListMembers(OwnerKey, listId);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Sandbox.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private RunRequest Request(RunTally tally, Func<int, Task>? beforeWrite) =>
        new(SyncKey, ProjectId, CohortId, ListId, IdentityRules.DefaultProperty, Cohort, Lists, Client(tally, beforeWrite), DestinationConcurrency,
            Guard, ApprovedRemovals, Changes, ChangesAfter, ApplyChanges, CohortName, RetryRefused: RetryRefused, StartedAt: Now);

    private List<RequestLogEntry> IterableCalls(long sequence) =>
        [.. Sandbox.Requests.Since(sequence).Where(entry => entry.Path.StartsWith("/api/lists", StringComparison.Ordinal))];

    private IterableListClient Client(RunTally tally, Func<int, Task>? beforeWrite) =>
        _services.GetRequiredService<IIterableClientFactory>().Create(Sandbox.BaseUrl, ClientKey, new PermitAllGate(tally, beforeWrite));
}
