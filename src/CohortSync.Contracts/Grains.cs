using Orleans.Concurrency;

namespace CohortSync.Contracts;

/// <summary>One Amplitude project (tenant). Key: the project id.</summary>
[Alias("cs.IProjectGrain")]
public interface IProjectGrain : IGrainWithStringKey
{
    [Alias("Enable")] Task<ProjectInfo> EnableAsync(EnableProjectRequest request);
    [Alias("Disable")] Task<ProjectInfo> DisableAsync();
    [Alias("Get")] Task<ProjectInfo> GetAsync();
    /// <summary>
    /// The operator says Amplitude's download quota is there again (raised, or reset early): downloads the engine held
    /// back since Amplitude refused one for the month resume with the next run.
    /// </summary>
    [Alias("ResetQuota")] Task<ProjectInfo> ResetQuotaAsync();

    /// <summary>
    /// Adds a destination once Iterable has accepted its key. Interleaves, as <see cref="UpdateDestinationAsync"/>
    /// does: the check is an HTTP call, and other calls to the project do not wait for it.
    /// </summary>
    [AlwaysInterleave, Alias("AddDestination")]
    Task<DestinationInfo> AddDestinationAsync(AddDestinationRequest request, CancellationToken cancellationToken = default);
    [Alias("ListDestinations")] Task<IReadOnlyList<DestinationInfo>> ListDestinationsAsync();
    [Alias("GetDestination")] Task<DestinationInfo> GetDestinationAsync(string destinationId);
    [Alias("RemoveDestination")] Task RemoveDestinationAsync(string destinationId);
    /// <summary>
    /// Replaces the destination's key after checking it with Iterable; resumes the syncs paused for the old key.
    /// Interleaves: the check is an HTTP call, and other calls to the project do not wait for it.
    /// </summary>
    [AlwaysInterleave, Alias("UpdateDestination")]
    Task<DestinationInfo> UpdateDestinationAsync(string destinationId, UpdateDestinationRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks the cohort with Amplitude, then creates the sync and starts its first run. Interleaves with the
    /// project's other calls (starts go one at a time among themselves), so a slow Amplitude holds up nobody else.
    /// </summary>
    [AlwaysInterleave, Alias("StartSync")] Task<SyncInfo> StartSyncAsync(StartSyncRequest request, CancellationToken cancellationToken = default);
    [Alias("ListSyncs")] Task<IReadOnlyList<SyncInfo>> ListSyncsAsync();
    [Alias("GetSync")] Task<SyncInfo> GetSyncAsync(string syncId);

    /// <summary>
    /// Creates the project's webhook token, or replaces it when <paramref name="rotate"/> is set (an existing token
    /// is otherwise refused); the token is in the answer only, the project keeps its SHA-256.
    /// </summary>
    [Alias("IssueWebhookToken")] Task<WebhookTokenIssued> IssueWebhookTokenAsync(bool rotate);
    /// <summary>Checks the SHA-256 of a presented webhook token (compared in constant time).</summary>
    [Alias("CheckWebhookToken")] Task<WebhookAccess> CheckWebhookTokenAsync(byte[] tokenHash);
    /// <summary>The silo stored a webhook batch for the cohort; fire-and-forget.</summary>
    [OneWay, Alias("WebhookBatchStored")] Task WebhookBatchStoredAsync(string cohortId);
}

/// <summary>
/// A member file for a sync (<c>sync upload</c>). Key: the sync's, <c>projectId/syncId</c>. The client sends the file's
/// identifiers in numbered chunks (a chunk sent again replaces itself), then commits: the upload becomes the desired
/// set of the sync's next run, instead of an Amplitude download. Nothing changes before the commit.
/// </summary>
[Alias("cs.IMemberUploadGrain")]
public interface IMemberUploadGrain : IGrainWithStringKey
{
    const int MaxChunk = 50_000;

    /// <summary>
    /// What a client puts in one chunk: up to this many characters, so that each chunk, here and when the run reads it
    /// back, stays a small-object string the garbage collector takes back at once (a large one waits for a full GC).
    /// </summary>
    const int ChunkChars = 32_000;

    /// <summary>
    /// Stores chunk <paramref name="seq"/> (0, 1, …) of upload <paramref name="uploadId"/>: <paramref name="count"/> identifiers,
    /// at most <see cref="MaxChunk"/>, one per line in <paramref name="lines"/> (one string, not thousands: the silo's
    /// memory per member stays that of a download).
    /// </summary>
    [Alias("PutChunk")] Task PutChunkAsync(string uploadId, int seq, string lines, int count);

    /// <summary>
    /// Checks that every chunk arrived (<paramref name="chunks"/>, <paramref name="members"/> in all), makes the upload the
    /// sync's next desired set, and starts that run at once when <paramref name="run"/> is set.
    /// </summary>
    [Alias("Commit")] Task<SyncInfo> CommitAsync(string uploadId, int chunks, long members, bool run);
}

/// <summary>One cohort sync. Key: <c>projectId/syncId</c> (see <see cref="GrainKeys"/>).</summary>
[Alias("cs.ICohortSyncGrain")]
public interface ICohortSyncGrain : IGrainWithStringKey
{
    [Alias("GetStatus")] Task<SyncInfo> GetStatusAsync();
    /// <summary>Starts a run now unless one is active; returns at once.</summary>
    [Alias("RunNow")] Task<SyncInfo> RunNowAsync();
    /// <summary>Starts a run now as <paramref name="request"/> says (e.g. sending refused members again), unless one is active.</summary>
    [Alias("RunNowWith")] Task<SyncInfo> RunNowAsync(RunNowRequest request);
    /// <summary>
    /// The members Iterable refused for this sync, up to <paramref name="limit"/> (1–1000) after <paramref name="after"/>
    /// in ordinal order, with their reasons and when a run sends them again.
    /// </summary>
    [Alias("GetRefused")] Task<RefusedPage> GetRefusedAsync(string? after, int limit);
    [Alias("Pause")] Task<SyncInfo> PauseAsync();
    [Alias("Resume")] Task<SyncInfo> ResumeAsync();
    /// <summary>Stops the sync for good: cancels an active run and its cadence. The Iterable list is left as it is.</summary>
    [Alias("Stop")] Task<SyncInfo> StopAsync();
    /// <summary>
    /// Stops the sync for good and does <paramref name="list"/> with its Iterable list, recorded in its history. Emptying
    /// or deleting happens in the background (the sync shows <c>stopped</c> with the reason meanwhile; <c>sync wait</c>
    /// waits for it); asked again, it is carried out again only while it has not succeeded.
    /// </summary>
    [Alias("StopWithList")] Task<SyncInfo> StopAsync(ListOnStop list);
    /// <summary>
    /// The cohort was renamed in Amplitude: moves the sync to a new list under the cohort's current name, filled by a
    /// run started now (trigger <c>follow-rename</c>) that first keeps, empties or deletes (<paramref name="oldList"/>)
    /// the old list and releases it. Refused while a run is in progress or when the cohort was not renamed.
    /// </summary>
    [Alias("FollowRename")] Task<SyncInfo> FollowRenameAsync(ListOnStop oldList);
    [Alias("GetHistory")] Task<IReadOnlyList<RunRecord>> GetHistoryAsync(int limit);

    /// <summary>
    /// Sends the held run: starts a run (trigger <c>approved</c>) that may remove as many members as the held run would
    /// have. A cohort that changed meanwhile so that it would remove more is held again.
    /// </summary>
    [Alias("Approve")] Task<SyncInfo> ApproveAsync();

    /// <summary>Discards the held run and keeps the list as it is: the sync is paused until it is resumed.</summary>
    [Alias("Reject")] Task<SyncInfo> RejectAsync();

    /// <summary>
    /// What a run would do now, without doing it: reads the cohort (one Amplitude download) and diffs it against
    /// the synced set; sends nothing to Iterable and changes nothing. Waits for Amplitude's job, hence the long
    /// timeout; interleaves so status calls are answered meanwhile.
    /// </summary>
    [AlwaysInterleave, ResponseTimeout("00:35:00"), Alias("Preview")] Task<SyncPreview> PreviewAsync();

    /// <summary>
    /// Starts a reconcile now (trigger <c>reconcile</c>): the run reads the list's membership from Iterable and sends
    /// what makes it equal to the cohort, extras removed (the removal guard applies). Returns at once.
    /// </summary>
    [Alias("Reconcile")] Task<SyncInfo> ReconcileAsync();

    /// <summary>
    /// A reconcile that sends nothing (<c>sync reconcile --dry-run</c>): the cohort read and the list's membership read
    /// from Iterable, the drift and the difference reported. Changes nothing; interleaves like <see cref="PreviewAsync"/>.
    /// </summary>
    [AlwaysInterleave, ResponseTimeout("00:35:00"), Alias("PreviewReconcile")] Task<SyncPreview> PreviewReconcileAsync();
}
