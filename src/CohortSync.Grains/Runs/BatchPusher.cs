using CohortSync.Core.Members;
using CohortSync.Core.Runs;
using CohortSync.Iterable;
using CohortSync.Iterable.Errors;
using CohortSync.Storage.Snapshots;

namespace CohortSync.Grains.Runs;

/// <summary>
/// Pushes removes and adds to one list in batches, journalling each acknowledged batch into the synced set
/// before the next one goes, so a run killed at any point loses nothing. Reads Iterable's per-member answer:
/// refused members are counted by reason and kept out of the synced set (and, on subscribe, out of later runs).
/// Pacing and 429 retries happen in the client's rate gate; this class sees a 429 only when the gate gave up.
/// </summary>
internal sealed class BatchPusher(
    IterableListClient iterable,
    long listId,
    bool freshList,
    Func<CancellationToken, Task<bool>> listExists,
    ISnapshotStore snapshots,
    RefusedMembers refused,
    string syncKey,
    RunTally tally,
    SyncEngineOptions options)
{
    public async Task<MemberSet> RemoveAsync(MemberSet removes, CancellationToken ct)
    {
        var dropped = new MemberSetBuilder(removes.Count);
        foreach (var batch in MemberBatches.Split(removes, options.BatchSize))
        {
            var outcome = await SendAsync(() => iterable.UnsubscribeAsync(listId, batch, ct), ct);
            // notFound is in Acknowledged: the member is already gone, which is what was asked.
            var gone = outcome.Acknowledged(batch);
            var refusedHere = Refused(outcome, batch);
            Count(outcome, subscribe: false);
            // A member Iterable will not unsubscribe (forgotten, invalid, conflict) cannot be asked again with any
            // other answer; it leaves the synced set, counted under its reason, rather than being retried forever.
            var leaving = MemberSet.From(gone.Concat(refusedHere));
            await snapshots.AppendAsync(syncKey, MemberSet.Empty, leaving, ct);
            foreach (var id in leaving) dropped.Add(id);
            tally.Removed += gone.Count;
        }
        return dropped.Build();
    }

    public async Task<MemberSet> AddAsync(MemberSet adds, CancellationToken ct)
    {
        var acknowledged = new MemberSetBuilder(adds.Count);
        foreach (var batch in MemberBatches.Split(adds, options.BatchSize))
        {
            var outcome = await SendAsync(() => iterable.SubscribeAsync(listId, batch, ct), ct);
            var taken = outcome.Acknowledged(batch);
            Count(outcome, subscribe: true);
            await refused.AddAsync(Refused(outcome, batch), ct);
            await snapshots.AppendAsync(syncKey, MemberSet.From(taken), MemberSet.Empty, ct);
            foreach (var id in taken) acknowledged.Add(id);
            tally.Added += taken.Count;
        }
        return acknowledged.Build();
    }

    /// <summary>Members refused for a reason that sending again will not change (notFound is not one: the user may appear).</summary>
    private static IReadOnlyCollection<string> Refused(SubscriptionOutcome outcome, IReadOnlyList<string> batch)
    {
        var named = new HashSet<string>(outcome.Invalid, StringComparer.Ordinal);
        named.UnionWith(outcome.Conflict);
        named.UnionWith(outcome.InvalidData);
        named.UnionWith(outcome.Forgotten);
        if (named.Count == 0) return [];
        named.IntersectWith(batch);
        return named;
    }

    private void Count(SubscriptionOutcome outcome, bool subscribe)
    {
        tally.Reject("invalid", outcome.Invalid);
        tally.Reject("conflict", outcome.Conflict);
        tally.Reject("invalidData", outcome.InvalidData);
        tally.Reject("forgotten", outcome.Forgotten);
        if (subscribe) tally.Reject("notFound", outcome.NotFound);
        tally.RejectCount("unattributed", outcome.UnattributedFailures);
    }

    private async Task<bool> ListStillExistsAsync(CancellationToken ct)
    {
        try { return await listExists(ct); }
        catch (RunFailure failure) when (!failure.KeyRejected) { return false; }
    }

    private async Task<SubscriptionOutcome> SendAsync(Func<Task<SubscriptionOutcome>> send, CancellationToken ct)
    {
        var listRetries = 0;
        while (true)
        {
            try
            {
                return await send();
            }
            catch (IterableListNotFoundException)
            {
                // Iterable is eventually consistent: a list created a moment ago (by this run or by another sync
                // racing for the same name) may not be writable yet. A list that is really gone fails the run.
                if (listRetries >= options.NewListRetries || !(freshList || await ListStillExistsAsync(ct)))
                    throw RunFailure.Retryable($"Iterable list {listId} disappeared during the run; the next run recreates it and sends the whole cohort");
                listRetries++;
                tally.Retries++;
                await Task.Delay(options.NewListRetryDelay, ct);
            }
            catch (IterableAuthException)
            {
                throw SyncRunner.KeyRejected();
            }
            catch (IterableRateLimitedException)
            {
                throw RunFailure.Retryable($"Iterable answered 429 to {options.MaxRateLimitRetries + 1} attempts of one batch; the next run continues from the checkpoint");
            }
            catch (IterableTransientException ex)
            {
                throw RunFailure.Retryable($"Iterable is unavailable ({ex.Message}); the next run continues from the checkpoint");
            }
            catch (HttpRequestException ex)
            {
                throw RunFailure.Retryable($"cannot reach Iterable ({ex.Message}); the next run continues from the checkpoint");
            }
            catch (IterableRequestException ex)
            {
                throw RunFailure.Permanent($"Iterable refused a batch: {ex.Message}");
            }
        }
    }
}
