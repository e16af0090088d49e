using System.Globalization;
using CohortSync.Amplitude;
using CohortSync.Contracts;
using CohortSync.Core.Identity;
using CohortSync.Core.Members;
using CohortSync.Core.Runs;
using CohortSync.Storage.Refused;
using CohortSync.Storage.Snapshots;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CohortSync.Grains.Runs;

/// <summary>
/// One run, step by step (DESIGN.md §4): read the cohort, map identities, diff against the synced set,
/// find or create the list, push the difference in batches, journal every acknowledged batch, compact.
/// A plain class behind small interfaces (<see cref="ICohortSource"/>, <see cref="IListDirectory"/>,
/// <see cref="IDownloadPermits"/>, <see cref="ISnapshotStore"/>); whatever it meets leaves it as a
/// <see cref="RunFailure"/>, translated in one place (<see cref="RunFailures"/>).
/// </summary>
public sealed class SyncRunner(
    ISnapshotStore snapshots,
    IRefusedMemberStore refused,
    LargeRunSlots largeRuns,
    IDownloadPermits downloads,
    ClusterRetry retry,
    IOptions<SyncEngineOptions> options,
    ILogger<SyncRunner> logger)
{
    private const int PreviewSample = 10;

    private SyncEngineOptions Options => options.Value;

    /// <param name="onListReady">Persists the list id before anything is pushed to it.</param>
    /// <param name="confirmOwner">Throws unless this run still owns the sync; called before the journal is folded.</param>
    public async Task<RunResult> RunAsync(RunRequest request, RunTally tally, Func<long, string, Task> onListReady, Func<Task> confirmOwner, CancellationToken ct)
    {
        try
        {
            return await RunStepsAsync(request, tally, onListReady, confirmOwner, ct);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw RunFailures.From(ex, tally.Phase, request.CohortId);
        }
    }

    /// <summary>
    /// Steps 1–3 of a run and nothing after: the cohort read and mapped, the refused members held back, the diff
    /// against the synced set. No request to Iterable, no write to the snapshot store.
    /// </summary>
    public async Task<PreviewResult> PreviewAsync(RunRequest request, CancellationToken ct)
    {
        var tally = new RunTally();
        try
        {
            var (cohortName, desired, slot) = await ReadCohortAsync(request, tally, ct);
            using var heldUntilTheEnd = slot;
            var journal = Journal(request);
            var synced = await journal.LoadSyncedAsync(ct);
            var (toSend, heldBack) = await journal.Refused.ExcludeAsync(desired, synced, ct);
            var reconciling = request.Reconcile && request.ListId is not null;
            // What the list holds now stands in for the synced set: the drift is what the two disagree on.
            if (reconciling) synced = await ReadListAsync(request, request.ListId!.Value, synced, tally, ct);
            var diff = HoldUnaccountedRemovals(await DiffAsync(desired, toSend, reconciling ? heldBack : 0, synced, ct), tally);
            return new PreviewResult(cohortName, synced.Count, tally.Snapshot(), heldBack, diff.Adds.Count, diff.Removes.Count,
                [.. diff.Adds.Take(PreviewSample)], [.. diff.Removes.Take(PreviewSample)], request.Holds(synced.Count, diff.Removes.Count),
                tally.Extra, tally.Missing);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw RunFailures.From(ex, tally.Phase, request.CohortId);
        }
    }

    private RunJournal Journal(RunRequest request) => new(snapshots, refused, request.SyncKey, retry,
        new RefusedPolicy(request.StartedAt ?? DateTimeOffset.UtcNow, Options.RefusedCooldown, request.RetryRefused));

    private async Task<RunResult> RunStepsAsync(RunRequest request, RunTally tally, Func<long, string, Task> onListReady, Func<Task> confirmOwner,
        CancellationToken ct)
    {
        var journal = Journal(request);
        if (request.Stop is { } stop) return await StopListAsync(request, stop, journal, tally, confirmOwner, ct);
        if (request.LeaveList is { } leave) request = await LeaveListAsync(request, leave, journal, tally, confirmOwner, ct);
        // A download covers every change pushed before it began; an apply, those it read.
        var cursor = request.Changes is { } changes ? await changes.LatestAsync(ct) : (long?)null;
        MemberSet? synced = null;
        string cohortName;
        MemberSet desired;
        IDisposable? slot = null;
        if (request.ApplyChanges)
        {
            synced = await journal.LoadSyncedAsync(ct);
            (cohortName, desired, cursor) = await ApplyChangesAsync(request, synced, tally, ct);
        }
        else
        {
            (cohortName, desired, slot) = await ReadCohortAsync(request, tally, ct);
        }
        using var heldUntilTheEnd = slot;

        tally.Phase = RunPhase.Diffing;
        synced ??= await journal.LoadSyncedAsync(ct);
        var (toSend, heldBack) = await journal.Refused.ExcludeAsync(desired, synced, ct);
        tally.HeldBack = heldBack;
        (long ListId, bool Fresh, string? Note, string Name)? prepared = null;
        // The list keeps the name it was made with (Iterable has no rename): a renamed cohort goes on writing it.
        var listName = request.ListId is not null && request.ListName is { } known ? known : ListNaming.ForCohort(cohortName);
        if (listName != ListNaming.ForCohort(cohortName) && !ListNaming.Candidates(cohortName, request.CohortId, SyncIdOf(request)).Contains(listName))
            tally.Note = $"the cohort is now called '{cohortName}' in Amplitude; its list keeps its name {listName} (Iterable lists cannot be renamed)";
        var reconciled = false;
        if (!request.ApplyChanges && (request.Reconcile || request.ListId is null))
        {
            // A reconcile reads the list, and a first run may find one of its name already there (made by hand, left by
            // Amplitude's own sync): either way the list is found (or made, empty) before the diff. A made list holds
            // nothing, so nothing can be held for it.
            tally.Phase = RunPhase.PreparingList;
            prepared = await PrepareListAsync(request, cohortName, ct);
            var found = prepared.Value;
            listName = found.Name;
            if (found.Note is null && !found.Fresh && !(request.ListId is null && request.AdoptKeep && !request.Reconcile))
            {
                synced = await ReadListAsync(request, found.ListId, synced, tally, ct);
                reconciled = true;
            }
            // A list made by this run is known to be empty: as good as read.
            else if (request.Reconcile) reconciled = true;
            tally.Phase = RunPhase.Diffing;
        }
        var diff = HoldUnaccountedRemovals(await DiffAsync(desired, toSend, reconciled ? heldBack : 0, synced, ct), tally);
        if (request.Holds(synced.Count, diff.Removes.Count))
        {
            // Before the list is even looked up: a held run sends nothing and creates nothing.
            (tally.PlannedAdds, tally.PlannedRemoves) = (diff.Adds.Count, diff.Removes.Count);
            return new RunResult(cohortName, request.ListId, null, synced.Count, HeldReason(request, synced.Count, diff.Removes.Count), Held: true);
        }
        if (request.ApplyChanges && diff.IsEmpty)
        {
            // Nothing to send (every change was already in the list): no list lookup, nothing to fold.
            return new RunResult(cohortName, request.ListId, null, synced.Count, tally.Note, ChangesCursor: cursor);
        }

        tally.Phase = RunPhase.PreparingList;
        var (listId, fresh, note, preparedName) = prepared ?? await PrepareListAsync(request, cohortName, ct);
        listName = preparedName;
        if (note is not null)
        {
            // The list we filled is gone: what Iterable holds now is nothing, so the whole desired set is the difference.
            await journal.ClearAsync(ct);
            synced = MemberSet.Empty;
            diff = MemberSetDiff.Compute(toSend, synced);
            tally.HeldRemovals = 0;
            tally.Note = note;
        }
        if (listId != request.ListId) await onListReady(listId, listName);

        MemberSet removed, added;
        try
        {
            (removed, added) = await PushAsync(request, listId, fresh, journal, diff, tally, ct);
        }
        catch (ListGoneException gone) when (note is null)
        {
            // The list was known from a recent lookup, but Iterable says it is gone (deleted since): as if found gone
            // before the push. Whatever this run delivered went with it; the new list gets the whole desired set.
            tally.Phase = RunPhase.PreparingList;
            logger.LogWarning("Sync {SyncKey}: list {ListId} is gone from Iterable; recreating", request.SyncKey, gone.ListId);
            tally.Note = $"Iterable list {gone.ListId} no longer exists; it was recreated and refilled with the whole cohort";
            await journal.ClearAsync(ct);
            tally.ForgetDelivered();
            synced = MemberSet.Empty;
            diff = MemberSetDiff.Compute(toSend, synced);
            tally.HeldRemovals = 0;
            (listId, fresh) = await request.Lists.EnsureAsync(listName, ct);
            await onListReady(listId, listName);
            (removed, added) = await PushAsync(request, listId, fresh, journal, diff, tally, ct);
        }

        tally.Phase = RunPhase.Recording;
        // Async locals live as long as the method: let go of the cohort-sized sets no longer needed before
        // the final set is built, so a big run holds one whole set less at its peak.
        desired = toSend = MemberSet.Empty;
        diff = null!;
        var final = synced.Apply(added, removed);
        synced = MemberSet.Empty;
        // Compaction replaces the synced set with this run's view and drops every journal row, other runs' too. A stale
        // activation (its silo declared dead while frozen, the sync resumed elsewhere) stops here, leaving its journal
        // rows to the owner, instead of folding away what the owner delivered meanwhile.
        await confirmOwner();
        await journal.CompactAsync(final, ct);
        if (request.Upload is { } used)
        {
            // The file is in the synced set now; a lost delete leaves rows the next commit of this sync clears.
            try { await used.DeleteAsync(ct); }
            catch (Exception ex) when (ex is not OperationCanceledException) { logger.LogWarning(ex, "Sync {SyncKey}: the used member file was not deleted", request.SyncKey); }
        }
        return new RunResult(cohortName, listId, listName, final.Count, tally.Note, ChangesCursor: cursor, UploadId: request.UploadId, Reconciled: reconciled);
    }

    /// <summary>The push phase: removes, then adds, each batch journalled as Iterable acknowledges it.</summary>
    private async Task<(MemberSet Removed, MemberSet Added)> PushAsync(RunRequest request, long listId, bool fresh, RunJournal journal, MemberSetDiff diff,
        RunTally tally, CancellationToken ct)
    {
        tally.PlannedAdds = diff.Adds.Count;
        tally.PlannedRemoves = diff.Removes.Count;
        tally.Phase = RunPhase.Pushing;
        var push = new BatchPusher(request.Iterable, listId, fresh, request.Lists, journal, tally, Options, request.RequestsInFlight ?? Options.RequestsInFlight);
        var removed = await push.RemoveAsync(diff.Removes, ct);
        var added = await push.AddAsync(diff.Adds, ct);
        return (removed, added);
    }

    /// <summary>
    /// The list action of <c>sync stop</c>: unsubscribe every member the sync put in the list, or delete the list, and
    /// forget what the sync held. The operator asked for it, so the removal guard does not apply; nothing is read from Amplitude.
    /// </summary>
    private async Task<RunResult> StopListAsync(RunRequest request, ListOnStop stop, RunJournal journal, RunTally tally, Func<Task> confirmOwner,
        CancellationToken ct)
    {
        tally.Phase = RunPhase.PreparingList;
        var name = request.CohortName ?? request.CohortId;
        if (request.ListId is not long listId || !await request.Lists.ExistsAsync(listId, ct))
        {
            await confirmOwner();
            await journal.ClearAsync(ct);
            return new RunResult(name, null, null, 0, "the sync has no list in Iterable any more; there was nothing to " + (stop == ListOnStop.Empty ? "empty" : "delete"));
        }
        tally.Phase = RunPhase.Pushing;
        if (stop == ListOnStop.Delete)
        {
            try { await request.Iterable.DeleteListAsync(listId, ct); }
            catch (Iterable.Errors.IterableListNotFoundException) { /* gone already: what was asked */ }
            await confirmOwner();
            await journal.ClearAsync(ct);
            await journal.Refused.ClearAsync(ct);
            if (request.ListName is { } deleted) await request.Lists.ReleaseAsync(deleted, request.SyncKey, ct);
            return new RunResult(name, null, null, 0, $"Iterable list {listId} was deleted and the synced set forgotten");
        }
        var synced = await journal.LoadSyncedAsync(ct);
        tally.PlannedRemoves = synced.Count;
        var push = new BatchPusher(request.Iterable, listId, freshList: false, request.Lists, journal, tally, Options, request.RequestsInFlight ?? Options.RequestsInFlight);
        var removed = await push.RemoveAsync(synced, ct);
        tally.Phase = RunPhase.Recording;
        var final = synced.Apply(MemberSet.Empty, removed);
        await confirmOwner();
        await journal.CompactAsync(final, ct);
        return new RunResult(name, listId, null, final.Count, string.Create(CultureInfo.InvariantCulture,
            $"{removed.Count:N0} members the sync had put in Iterable list {listId} were unsubscribed from it; the list stays, no longer synced"));
    }

    /// <summary>
    /// The first step of a run that follows a renamed cohort: the old list kept, emptied or deleted as <c>sync stop</c>
    /// would, released so this sync never writes it again, and the synced set forgotten. The run goes on as a first run
    /// (a new list under the cohort's current name, the whole cohort pushed). Each step is safe to repeat after a crash.
    /// </summary>
    private async Task<RunRequest> LeaveListAsync(RunRequest request, ListOnStop leave, RunJournal journal, RunTally tally, Func<Task> confirmOwner,
        CancellationToken ct)
    {
        var old = request.ListName ?? $"list {request.ListId}";
        if (leave != ListOnStop.Keep) await StopListAsync(request, leave, journal, tally, confirmOwner, ct);
        await confirmOwner();
        await journal.ClearAsync(ct);
        if (request.ListName is { } name) await request.Lists.ReleaseAsync(name, request.SyncKey, ct);
        var done = leave switch { ListOnStop.Empty => "emptied", ListOnStop.Delete => "deleted", _ => "kept as it was" };
        tally.Note = $"the cohort was renamed in Amplitude: the sync moved from {old} to a new list under its current name; the old list was {done} and this sync no longer writes it";
        tally.Phase = RunPhase.Starting;
        return request with { ListId = null, ListName = null, LeaveList = null };
    }

    /// <summary>
    /// The cohort as the synced set with the pushed changes after the sync's cursor applied: the members who entered
    /// join it, those who exited leave it. Counted like a file's rows: changes read, members without the property.
    /// </summary>
    private static async Task<(string Name, MemberSet Desired, long Cursor)> ApplyChangesAsync(RunRequest request, MemberSet synced, RunTally tally, CancellationToken ct)
    {
        tally.Phase = RunPhase.ReadingCohort;
        var read = await request.Changes!.ReadAsync(request.ChangesAfter, ct);
        tally.CohortRows = read.Changes;
        tally.Skipped = read.Missing;
        tally.Invalid = read.Invalid;
        var desired = await Task.Run(() => synced.Apply(read.Entered, read.Exited), ct);
        tally.Desired = desired.Count;
        return (request.CohortName ?? request.CohortId, desired, read.Upto);
    }

    /// <returns>The cohort's name and members, and the large-run slot taken for it (null for a small run), which the caller gives back.</returns>
    private async Task<(string Name, MemberSet Desired, IDisposable? Slot)> ReadCohortAsync(RunRequest request, RunTally tally, CancellationToken ct)
    {
        tally.Phase = RunPhase.ReadingCohort;
        if (request.Upload is { } upload) return await ReadUploadAsync(request, upload, tally, ct);
        var cohort = await request.Cohort.FindAsync(request.CohortId, ct)
            ?? throw RunFailure.Permanent($"cohort '{request.CohortId}' does not exist in the Amplitude project (deleted, archived or not discoverable)");
        var slot = await largeRuns.EnterAsync(cohort.Size, tally, ct);
        try
        {
            var property = request.UserProperty;
            var builder = new DesiredSetBuilder(cohort.Size is > 0 and < 10_000_000 ? (int)cohort.Size : 1024);
            CohortReadResult read;
            // From the export request until the file is read: that is what Amplitude counts as a download in flight.
            await using (await downloads.EnterAsync(request.AmplitudeUsageKey ?? request.ProjectId, tally, ct))
            {
                read = await request.Cohort.ReadAsync(request.CohortId, property == IdentityRules.DefaultProperty ? null : property,
                    new DesiredSetSink(builder), tally, ct);
            }
            var desired = await Task.Run(builder.Build, ct);
            // The reader drops rows with an empty identity field before the builder sees them; count both.
            tally.CohortRows = read.Rows;
            tally.Skipped = read.EmptyIdentities + builder.Missing;
            tally.Invalid = builder.Invalid;
            tally.Malformed = read.MalformedRows;
            tally.Desired = desired.Count;
            if (builder.InvalidSample.Count > 0) tally.Reject("invalidIdentifier", builder.InvalidSample);
            var allowed = Options.MalformedAllowance(read.Rows);
            if (read.MalformedRows > allowed)
                throw RunFailure.Retryable($"{read.MalformedRows} of {read.Rows} rows of the cohort file could not be read (more than {allowed}); "
                    + "nothing was sent to Iterable and the next run downloads the cohort again");
            return (cohort.Name, desired, slot);
        }
        catch
        {
            slot?.Dispose();
            throw;
        }
    }

    /// <summary>A member file instead of a download: no Amplitude, no download permit, the same set and counts.</summary>
    private async Task<(string Name, MemberSet Desired, IDisposable? Slot)> ReadUploadAsync(RunRequest request, IUploadedMembers upload, RunTally tally, CancellationToken ct)
    {
        var slot = await largeRuns.EnterAsync(upload.Members, tally, ct);
        try
        {
            var builder = new DesiredSetBuilder(upload.Members is > 0 and < 10_000_000 ? (int)upload.Members : 1024);
            await upload.ReadAsync(id => builder.Accept(id), ct);
            var desired = await Task.Run(builder.Build, ct);
            (tally.CohortRows, tally.Skipped, tally.Invalid, tally.Desired) = (upload.Members, builder.Missing, builder.Invalid, desired.Count);
            if (builder.InvalidSample.Count > 0) tally.Reject("invalidIdentifier", builder.InvalidSample);
            return (request.CohortName ?? request.CohortId, desired, slot);
        }
        catch
        {
            slot?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The list's members as Iterable lists them (getUsers, streamed into a compact set, paced 5 a minute per project),
    /// with the drift against <paramref name="synced"/> counted into the tally. Returns the membership, which the run
    /// diffs against instead of the synced set.
    /// </summary>
    private static async Task<MemberSet> ReadListAsync(RunRequest request, long listId, MemberSet synced, RunTally tally, CancellationToken ct)
    {
        var builder = new MemberSetBuilder(synced.Count is > 0 ? synced.Count : 1024);
        await request.Iterable.ReadListUserIdsAsync(listId, id => builder.Add(id), ct, restart: () => builder = new MemberSetBuilder(synced.Count is > 0 ? synced.Count : 1024));
        var listed = await Task.Run(builder.Build, ct);
        builder = null!;
        var drift = await Task.Run(() => MemberSetDiff.Compute(listed, synced), ct);
        (tally.Extra, tally.Missing) = (drift.Adds.Count, drift.Removes.Count);
        return listed;
    }

    /// <summary>
    /// What makes the list equal to the cohort: the members to send added, and every listed member not in the cohort
    /// removed. A member Iterable refused before is held back from the adds but, being in the cohort, never removed.
    /// </summary>
    private static Task<MemberSetDiff> DiffAsync(MemberSet desired, MemberSet toSend, long heldBack, MemberSet listed, CancellationToken ct) => Task.Run(() =>
    {
        var diff = MemberSetDiff.Compute(toSend, listed);
        return heldBack == 0 ? diff : diff with { Removes = MemberSetDiff.Compute(desired, listed).Removes };
    }, ct);

    /// <summary>
    /// A member whose row could not be read may still be in the cohort: while any row was unreadable, the run sends its
    /// adds and keeps every removal for a file read cleanly. The held members stay in the synced set.
    /// </summary>
    private static MemberSetDiff HoldUnaccountedRemovals(MemberSetDiff diff, RunTally tally)
    {
        if (tally.Malformed == 0 || diff.Removes.Count == 0) return diff;
        tally.HeldRemovals = diff.Removes.Count;
        tally.Note = $"{diff.Removes.Count} removals held: {tally.Malformed} {(tally.Malformed == 1 ? "row" : "rows")} of the cohort file could not be read, "
            + "so who left is not known; the next cleanly read file sends them";
        return diff with { Removes = MemberSet.Empty };
    }

    private static string HeldReason(RunRequest request, long listed, long removes)
    {
        var what = removes >= listed
            ? $"remove every member (all {listed:N0})"
            : $"remove {removes:N0} of {listed:N0} members ({removes * 100 / listed}%), beyond the guard ({(request.Guard ?? RemovalGuard.Default).Describe()})";
        return string.Create(CultureInfo.InvariantCulture, $"held: this run would {what}; nothing was sent. Approve or reject it: cohortsync sync approve|reject");
    }

    /// <returns>The list id; whether it was created by this run; a note when a known list had vanished.</returns>
    /// <returns>The list id; whether it was created by this run; a note when a known list had vanished; the list's name.</returns>
    private async Task<(long ListId, bool Fresh, string? Note, string Name)> PrepareListAsync(RunRequest request, string cohortName, CancellationToken ct)
    {
        string? note = null;
        var candidates = ListNaming.Candidates(cohortName, request.CohortId, SyncIdOf(request));
        if (request.ListId is long known)
        {
            var name = request.ListName ?? candidates[0];
            if (await request.Lists.ExistsAsync(known, ct))
            {
                // A sync from before owners were kept says which list it writes; another sync that took the name meanwhile is logged.
                if (!await request.Lists.ClaimAsync(name, request.SyncKey, ct))
                    logger.LogWarning("Sync {SyncKey}: list {ListId} ({ListName}) is owned by another sync too", request.SyncKey, known, name);
                return (known, false, null, name);
            }
            note = $"Iterable list {known} no longer exists; it was recreated and refilled with the whole cohort";
            logger.LogWarning("Sync {SyncKey}: list {ListId} is gone from Iterable; recreating", request.SyncKey, known);
            // Its own name first: the sync owns it.
            candidates = [name, .. candidates.Where(c => c != name)];
        }
        var (listId, created, taken) = await request.Lists.EnsureOwnedAsync(candidates, request.SyncKey, ct);
        return (listId, created, note, taken);
    }

    private static string SyncIdOf(RunRequest request) => GrainKeys.Split(request.SyncKey).LocalId;
}
