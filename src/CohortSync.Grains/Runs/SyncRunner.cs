using CohortSync.Amplitude;
using CohortSync.Contracts;
using CohortSync.Core.Identity;
using CohortSync.Core.Members;
using CohortSync.Core.Runs;
using CohortSync.Grains.Delivery;
using CohortSync.Grains.Destinations;
using CohortSync.Grains.Projects;
using CohortSync.Iterable;
using CohortSync.Iterable.Hosting;
using CohortSync.Iterable.Errors;
using CohortSync.Storage.Snapshots;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CohortSync.Grains.Runs;

/// <summary>
/// One run, step by step (DESIGN.md §4): read the cohort, map identities, diff against the synced set,
/// find or create the list, push the difference in batches, journal every acknowledged batch, compact.
/// A plain class: the grain coordinates, this does the work.
/// </summary>
public sealed class SyncRunner(
    IAmplitudeClientFactory amplitudeClients,
    IIterableClientFactory iterableClients,
    ISnapshotStore snapshots,
    IGrainFactory grains,
    LargeRunSlots largeRuns,
    AmplitudeDownloadGate amplitudeLimits,
    CohortSyncMetrics metrics,
    IOptions<SyncEngineOptions> options,
    ILogger<SyncRunner> logger)
{
    private SyncEngineOptions Options => options.Value;

    /// <param name="onListReady">Persists the list id before anything is pushed to it.</param>
    public async Task<RunResult> RunAsync(RunRequest request, RunTally tally, Func<long, string, Task> onListReady, CancellationToken ct)
    {
        var (cohortName, desired, slot) = await ReadCohortAsync(request, tally, ct);
        using var heldUntilTheEnd = slot;

        tally.Phase = RunPhase.Diffing;
        var refused = new RefusedMembers(snapshots, request.SyncKey);
        var (toSend, heldBack) = await refused.ExcludeAsync(desired, ct);
        tally.HeldBack = heldBack;
        var synced = await snapshots.LoadAsync(request.SyncKey, ct);
        var diff = await Task.Run(() => MemberSetDiff.Compute(toSend, synced), ct);

        tally.Phase = RunPhase.PreparingList;
        var budget = grains.GetGrain<IIterableProjectGrain>(IterableProjectKey.For(request.IterableUrl.ToString(), request.IterableKey));
        var iterable = iterableClients.Create(request.IterableUrl, request.IterableKey, new BudgetRateGate(budget, request.Rate, tally, Options));
        var listName = ListNaming.ForCohort(cohortName);
        var (listId, fresh, note) = await PrepareListAsync(request, budget, listName, ct);
        if (note is not null)
        {
            // The list we filled is gone: what Iterable holds now is nothing, so the whole desired set is the difference.
            await snapshots.ClearAsync(request.SyncKey, ct);
            synced = MemberSet.Empty;
            diff = MemberSetDiff.Compute(toSend, synced);
            tally.Note = note;
        }
        if (listId != request.ListId) await onListReady(listId, listName);

        tally.PlannedAdds = diff.Adds.Count;
        tally.PlannedRemoves = diff.Removes.Count;
        tally.Phase = RunPhase.Pushing;
        var push = new BatchPusher(iterable, listId, fresh, stillThere => ListExistsAsync(request, budget, listId, stillThere),
            snapshots, refused, request.SyncKey, tally, Options);
        var removed = await push.RemoveAsync(diff.Removes, ct);
        var added = await push.AddAsync(diff.Adds, ct);

        tally.Phase = RunPhase.Recording;
        // Async locals live as long as the method: let go of the cohort-sized sets no longer needed before
        // the final set is built, so a big run holds one whole set less at its peak.
        desired = toSend = MemberSet.Empty;
        diff = null!;
        var final = synced.Apply(added, removed);
        synced = MemberSet.Empty;
        await snapshots.CompactAsync(request.SyncKey, final, ct);
        await refused.CompactAsync(ct);
        return new RunResult(cohortName, listId, listName, final.Count, tally.Note);
    }

    /// <summary>
    /// Steps 1–3 of a run and nothing after: the cohort read and mapped, the refused members held back, the diff
    /// against the synced set. No request to Iterable, no write to the snapshot store.
    /// </summary>
    public async Task<PreviewResult> PreviewAsync(RunRequest request, CancellationToken ct)
    {
        var tally = new RunTally();
        var (cohortName, desired, slot) = await ReadCohortAsync(request, tally, ct);
        using var heldUntilTheEnd = slot;
        var refused = new RefusedMembers(snapshots, request.SyncKey);
        var (toSend, heldBack) = await refused.ExcludeAsync(desired, ct);
        var synced = await snapshots.LoadAsync(request.SyncKey, ct);
        var diff = await Task.Run(() => MemberSetDiff.Compute(toSend, synced), ct);
        return new PreviewResult(cohortName, synced.Count, tally.Snapshot(), heldBack, diff.Adds.Count, diff.Removes.Count,
            [.. diff.Adds.Take(PreviewSample)], [.. diff.Removes.Take(PreviewSample)]);
    }

    private const int PreviewSample = 10;

    /// <returns>The cohort's name and members, and the large-run slot taken for it (null for a small run), which the caller gives back.</returns>
    private async Task<(string Name, MemberSet Desired, IDisposable? Slot)> ReadCohortAsync(RunRequest request, RunTally tally, CancellationToken ct)
    {
        tally.Phase = RunPhase.ReadingCohort;
        var amplitude = amplitudeClients.Create(request.AmplitudeUrl, request.AmplitudeKey, request.AmplitudeSecret);
        try
        {
            var cohort = await amplitude.FindCohortAsync(request.CohortId, ct)
                ?? throw RunFailure.Permanent($"cohort '{request.CohortId}' does not exist in the Amplitude project (deleted, archived or not discoverable)");
            var slot = await largeRuns.EnterAsync(cohort.Size, tally, ct);
            try
            {
                var property = request.UserProperty;
                var builder = new DesiredSetBuilder(cohort.Size is > 0 and < 10_000_000 ? (int)cohort.Size : 1024);
                CohortReadResult read;
                // From the export request until the file is read: that is what Amplitude counts as a download in flight.
                await using (await amplitudeLimits.EnterAsync(GrainKeys.Split(request.SyncKey).Item1, tally, ct))
                {
                    var requestId = await amplitude.RequestCohortAsync(request.CohortId, property == IdentityRules.DefaultProperty ? null : property, ct);
                    metrics.DownloadRequested();
                    await CountDownloadAsync(request);
                    var jobWait = System.Diagnostics.Stopwatch.StartNew();
                    await amplitude.WaitUntilReadyAsync(requestId, Options.AmplitudePollInterval, Options.AmplitudeJobTimeout, ct);
                    tally.AmplitudeWait = jobWait.Elapsed;
                    read = await Task.Run(async () =>
                    {
                        await using var file = await amplitude.OpenFileAsync(requestId, ct);
                        return await CohortCsvReader.ReadAsync(file, property, new DesiredSetSink(builder), ct);
                    }, ct);
                }
                var desired = await Task.Run(builder.Build, ct);
                // The reader drops rows with an empty identity field before the builder sees them; count both.
                tally.CohortRows = read.Rows;
                tally.Skipped = read.EmptyIdentities + builder.Missing;
                tally.Invalid = builder.Invalid;
                tally.Malformed = read.MalformedRows;
                tally.Desired = desired.Count;
                if (builder.InvalidSample.Count > 0) tally.Reject("invalidIdentifier", builder.InvalidSample);
                return (cohort.Name, desired, slot);
            }
            catch
            {
                slot?.Dispose();
                throw;
            }
        }
        catch (AmplitudeAuthException)
        {
            throw RunFailure.Permanent("Amplitude rejected the project's API key / secret key");
        }
        catch (AmplitudeCohortNotFoundException)
        {
            throw RunFailure.Permanent($"cohort '{request.CohortId}' does not exist in the Amplitude project");
        }
        catch (CohortFileFormatException ex)
        {
            throw RunFailure.Permanent($"the cohort file could not be read: {ex.Message}; nothing was sent to Iterable");
        }
        catch (AmplitudeJobFailedException ex)
        {
            throw RunFailure.Retryable($"Amplitude's cohort job failed: {ex.Message}");
        }
        catch (AmplitudeTransientException ex)
        {
            throw RunFailure.Retryable($"Amplitude is unavailable: {ex.Message}");
        }
        catch (HttpRequestException ex)
        {
            throw RunFailure.Retryable($"cannot reach Amplitude: {ex.Message}");
        }
    }

    /// <summary>Amplitude counted the request against the project's monthly quota; so do we. A lost count never fails a run.</summary>
    private async Task CountDownloadAsync(RunRequest request)
    {
        var (projectId, _) = GrainKeys.Split(request.SyncKey);
        try
        {
            await grains.GetGrain<IAmplitudeUsageGrain>(projectId).CountDownloadAsync();
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Sync {SyncKey}: could not count the Amplitude download", request.SyncKey);
        }
    }

    /// <returns>The list id; whether it was created by this run; a note when a known list had vanished.</returns>
    private async Task<(long ListId, bool Fresh, string? Note)> PrepareListAsync(
        RunRequest request, IIterableProjectGrain project, string listName, CancellationToken ct)
    {
        try
        {
            string? note = null;
            if (request.ListId is long known)
            {
                if (await ListExistsAsync(request, project, known, ct)) return (known, false, null);
                note = $"Iterable list {known} no longer exists; it was recreated and refilled with the whole cohort";
                logger.LogWarning("Sync {SyncKey}: list {ListId} is gone from Iterable; recreating", request.SyncKey, known);
            }
            var ensured = await project.EnsureListAsync(request.IterableUrl.ToString(), request.IterableKeyCipher, request.Rate, listName).WaitAsync(ct);
            return ensured.Failure switch
            {
                null => (ensured.ListId, ensured.Created, note),
                EnsureListFailure.KeyRejected => throw KeyRejected(),
                _ => throw RunFailure.Retryable(ensured.Reason ?? "Iterable is unavailable"),
            };
        }
        catch (IterableAuthException)
        {
            throw KeyRejected();
        }
        catch (Exception ex) when (ex is IterableTransientException or IterableRateLimitedException or IterableRequestException)
        {
            throw RunFailure.Retryable($"Iterable is unavailable: {ex.Message}");
        }
        catch (HttpRequestException ex)
        {
            throw RunFailure.Retryable($"cannot reach Iterable: {ex.Message}");
        }
    }

    /// <summary>Asks the Iterable project's grain, which shares one lookup among the runs that ask at the same time.</summary>
    private static async Task<bool> ListExistsAsync(RunRequest request, IIterableProjectGrain project, long listId, CancellationToken ct)
    {
        var check = await project.CheckListAsync(request.IterableUrl.ToString(), request.IterableKeyCipher, request.Rate, listId).WaitAsync(ct);
        return check.Failure switch
        {
            null => check.Exists,
            EnsureListFailure.KeyRejected => throw KeyRejected(),
            _ => throw RunFailure.Retryable(check.Reason ?? "Iterable is unavailable"),
        };
    }

    /// <summary>The reason every paused sync of the destination shows; it says what to do.</summary>
    internal const string KeyRejectedReason =
        "Iterable rejected the destination's API key (401 BadApiKey); give it a valid key with 'cohortsync destination update' and its syncs resume";

    internal static RunFailure KeyRejected() => new(RunOutcome.Failed, KeyRejectedReason, keyRejected: true);
}
