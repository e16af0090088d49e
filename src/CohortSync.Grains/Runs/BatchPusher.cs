using CohortSync.Core.Members;
using CohortSync.Core.Runs;
using CohortSync.Iterable;
using CohortSync.Iterable.Errors;

namespace CohortSync.Grains.Runs;

/// <summary>
/// Pushes removes and adds to one list in batches, journalling each acknowledged batch into the synced set
/// before the next one goes, so a run killed at any point loses nothing. Reads Iterable's per-member answer:
/// refused members are counted by reason and kept out of the synced set (and, on subscribe, out of later runs).
/// Pacing and 429 retries happen in the client's rate gate; any other failure goes up to the runner.
/// </summary>
/// <param name="freshList">Created by this run: Iterable may not let it be written for a moment.</param>
internal sealed class BatchPusher(IterableListClient iterable, long listId, bool freshList, IListDirectory lists, RunJournal journal, RunTally tally,
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
            Count(outcome, subscribe: false);
            // A member Iterable will not unsubscribe (forgotten, invalid, conflict) cannot be asked again with any
            // other answer; it leaves the synced set, counted under its reason, rather than being retried forever.
            var leaving = MemberSet.From(gone.Concat(Refused(outcome, batch)));
            await journal.RemovedAsync(leaving, ct);
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
            await journal.Refused.AddAsync(Refused(outcome, batch), ct);
            await journal.AddedAsync(MemberSet.From(taken), ct);
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

    private async Task<SubscriptionOutcome> SendAsync(Func<Task<SubscriptionOutcome>> send, CancellationToken ct)
    {
        for (var listRetries = 0; ; listRetries++)
        {
            try
            {
                return await send();
            }
            catch (IterableListNotFoundException)
            {
                // Iterable is eventually consistent: a list created a moment ago (by this run or by another sync
                // racing for the same name) may not be writable yet. A list that is really gone fails the run.
                if (listRetries >= options.NewListRetries || !(freshList || await StillExistsAsync(ct)))
                    throw RunFailure.Retryable($"Iterable list {listId} disappeared during the run; the next run recreates it and sends the whole cohort");
                tally.Retries++;
                await Task.Delay(options.NewListRetryDelay, ct);
            }
        }
    }

    private async Task<bool> StillExistsAsync(CancellationToken ct)
    {
        try { return await lists.ExistsAsync(listId, ct); }
        catch (RunFailure failure) when (failure.Kind != FailureKind.KeyRejected) { return false; }
    }
}
