using CohortSync.Core.Members;
using CohortSync.Core.Runs;
using CohortSync.Iterable;
using CohortSync.Iterable.Errors;

namespace CohortSync.Grains.Runs;

/// <summary>
/// Pushes removes and adds to one list in batches, up to <paramref name="requestsInFlight"/> at a time on
/// disjoint members, journalling each batch into the synced set as soon as Iterable acknowledges it (in whatever order
/// the answers come), so the checkpoint never claims an unacknowledged member and a run killed at any point loses
/// nothing. Reads Iterable's per-member answer: refused members are counted by reason and kept out of the synced set
/// (and, on subscribe, out of later runs). Pacing and 429 retries happen in the client's rate gate; on any other
/// failure no new batch starts, the ones in flight are answered and journalled, and the first failure goes up.
/// </summary>
/// <param name="freshList">Created by this run: Iterable may not let it be written for a moment.</param>
/// <param name="requestsInFlight">The destination's concurrency, or <see cref="SyncEngineOptions.RequestsInFlight"/>.</param>
internal sealed class BatchPusher(IterableListClient iterable, long listId, bool freshList, IListDirectory lists, RunJournal journal, RunTally tally,
    SyncEngineOptions options, int requestsInFlight)
{
    // Acknowledged batches are recorded one at a time: the journal, the builders and the refused set are not shared-safe.
    private readonly SemaphoreSlim _recording = new(1, 1);

    public async Task<MemberSet> RemoveAsync(MemberSet removes, CancellationToken ct)
    {
        var dropped = new MemberSetBuilder(removes.Count, removes.Utf8Bytes);
        await ForEachBatchAsync(removes, async batch =>
        {
            var outcome = await SendAsync(() => iterable.UnsubscribeAsync(listId, batch, ct), ct);
            // notFound is in Acknowledged: the member is already gone, which is what was asked.
            var gone = outcome.Acknowledged(batch);
            // A member Iterable will not unsubscribe (forgotten, invalid, conflict) cannot be asked again with any
            // other answer; it leaves the synced set, counted under its reason, rather than being retried forever.
            var leaving = MemberSet.From(gone.Concat(Refused(outcome, batch)));
            await RecordAsync(async () =>
            {
                Count(outcome, subscribe: false);
                await journal.RemovedAsync(leaving, CancellationToken.None);
                foreach (var id in leaving) dropped.Add(id);
                tally.CountRemoved(gone.Count);
            });
        }, ct);
        return dropped.Build();
    }

    public async Task<MemberSet> AddAsync(MemberSet adds, CancellationToken ct)
    {
        var acknowledged = new MemberSetBuilder(adds.Count, adds.Utf8Bytes);
        await ForEachBatchAsync(adds, async batch =>
        {
            var outcome = await SendAsync(() => iterable.SubscribeAsync(listId, batch, ct), ct);
            var taken = outcome.Acknowledged(batch);
            await RecordAsync(async () =>
            {
                Count(outcome, subscribe: true);
                await journal.Refused.AddAsync(RefusedWithReasons(outcome, batch), CancellationToken.None);
                await journal.AddedAsync(MemberSet.From(taken), CancellationToken.None);
                foreach (var id in taken) acknowledged.Add(id);
                tally.CountAdded(taken.Count);
            });
        }, ct);
        return acknowledged.Build();
    }

    /// <summary>
    /// Sends the batches with up to <c>requestsInFlight</c> in flight. After a failure no new
    /// batch starts; those in flight finish (their acknowledgements are journalled) before the first failure is thrown.
    /// </summary>
    private async Task ForEachBatchAsync(MemberSet members, Func<IReadOnlyList<string>, Task> push, CancellationToken ct)
    {
        var inFlight = new List<Task>(requestsInFlight);
        Exception? failure = null;
        foreach (var batch in MemberBatches.Split(members, options.BatchSize))
        {
            if (inFlight.Count >= requestsInFlight)
            {
                var done = await Task.WhenAny(inFlight);
                inFlight.Remove(done);
                if (done.Exception is { } ex) { failure = ex.InnerException ?? ex; break; }
                if (done.IsCanceled) break;
            }
            if (ct.IsCancellationRequested) break;
            inFlight.Add(push(batch));
        }
        foreach (var task in inFlight)
        {
            try { await task; }
            catch (Exception ex) { failure ??= ex; }
        }
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Records one acknowledged batch. Not cancelled with the run: what Iterable has acknowledged is journalled even
    /// while the run is being stopped, or the next run would not know it.
    /// </summary>
    private async Task RecordAsync(Func<Task> record)
    {
        await _recording.WaitAsync();
        try { await record(); }
        finally { _recording.Release(); }
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

    /// <summary>The members of <see cref="Refused"/> with the reason Iterable gave, for <c>sync refused</c>.</summary>
    private static List<(string Member, string Reason)> RefusedWithReasons(SubscriptionOutcome outcome, IReadOnlyList<string> batch)
    {
        var inBatch = new HashSet<string>(batch, StringComparer.Ordinal);
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (reason, members) in new[] { ("invalid", outcome.Invalid), ("conflict", outcome.Conflict), ("invalidData", outcome.InvalidData), ("forgotten", outcome.Forgotten) })
            foreach (var member in members)
                if (inBatch.Contains(member)) refused.TryAdd(member, reason);
        return [.. refused.Select(r => (r.Key, r.Value))];
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
                if (!freshList && !await StillExistsAsync(ct)) throw new ListGoneException(listId);
                if (listRetries >= options.NewListRetries)
                    throw RunFailure.Retryable($"Iterable list {listId} disappeared during the run; the next run recreates it and sends the whole cohort");
                tally.CountRetry();
                await Task.Delay(options.NewListRetryDelay, ct);
            }
        }
    }

    private async Task<bool> StillExistsAsync(CancellationToken ct)
    {
        try { return await lists.ExistsAfterRejectionAsync(listId, ct); }
        catch (RunFailure failure) when (failure.Kind != FailureKind.KeyRejected) { return false; }
    }
}

/// <summary>Iterable answered <c>invalidListId</c> and a lookup made after that answer does not show the list: it was deleted.</summary>
internal sealed class ListGoneException(long listId) : Exception($"Iterable list {listId} disappeared during the run; the next run recreates it and sends the whole cohort")
{
    public long ListId { get; } = listId;
}
