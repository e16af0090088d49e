using CohortSync.Core.Members;
using CohortSync.Core.Runs;
using CohortSync.Iterable;
using CohortSync.Iterable.Errors;
using CohortSync.Storage.Snapshots;
using Microsoft.Extensions.Logging;

namespace CohortSync.Grains.Runs;

/// <summary>
/// Pushes removes and adds to one list in batches, journalling each acknowledged batch into the
/// synced set before the next one goes, so a run killed at any point loses nothing.
/// </summary>
internal sealed class BatchPusher(
    IterableListClient iterable,
    long listId,
    bool freshList,
    ISnapshotStore snapshots,
    string syncKey,
    RunTally tally,
    SyncEngineOptions options,
    ILogger logger)
{
    public async Task<MemberSet> RemoveAsync(MemberSet removes, CancellationToken ct)
    {
        var acknowledged = new MemberSetBuilder(removes.Count);
        foreach (var batch in MemberBatches.Split(removes, options.BatchSize))
        {
            var outcome = await SendAsync(() => iterable.UnsubscribeAsync(listId, batch, ct), ct);
            var gone = outcome.Acknowledged(batch);
            RecordRejections(outcome, includeNotFound: false);
            var goneSet = MemberSet.From(gone);
            await snapshots.AppendAsync(syncKey, MemberSet.Empty, goneSet, ct);
            foreach (var id in gone) acknowledged.Add(id);
            tally.Removed += gone.Count;
        }
        return acknowledged.Build();
    }

    public async Task<MemberSet> AddAsync(MemberSet adds, CancellationToken ct)
    {
        var acknowledged = new MemberSetBuilder(adds.Count);
        foreach (var batch in MemberBatches.Split(adds, options.BatchSize))
        {
            var outcome = await SendAsync(() => iterable.SubscribeAsync(listId, batch, ct), ct);
            var taken = outcome.Acknowledged(batch);
            RecordRejections(outcome, includeNotFound: true);
            var takenSet = MemberSet.From(taken);
            await snapshots.AppendAsync(syncKey, takenSet, MemberSet.Empty, ct);
            foreach (var id in taken) acknowledged.Add(id);
            tally.Added += taken.Count;
        }
        return acknowledged.Build();
    }

    private void RecordRejections(SubscriptionOutcome outcome, bool includeNotFound)
    {
        tally.Reject("invalid", outcome.Invalid);
        tally.Reject("conflict", outcome.Conflict);
        tally.Reject("invalidData", outcome.InvalidData);
        tally.Reject("forgotten", outcome.Forgotten);
        if (includeNotFound) tally.Reject("notFound", outcome.NotFound);
    }

    private async Task<SubscriptionOutcome> SendAsync(Func<Task<SubscriptionOutcome>> send, CancellationToken ct)
    {
        var rateLimited = 0;
        var listRetries = 0;
        var backoff = options.RateLimitBackoff;
        while (true)
        {
            tally.Requests++;
            try
            {
                return await send();
            }
            catch (IterableRateLimitedException ex)
            {
                if (++rateLimited > options.MaxRateLimitRetries)
                    throw RunFailure.Retryable($"Iterable answered 429 to {rateLimited} attempts in a row; the next run continues from the checkpoint");
                tally.Retries++;
                var wait = ex.RetryAfter ?? backoff;
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaxRateLimitBackoff.Ticks));
                logger.LogDebug("Sync {SyncKey}: 429 from Iterable, waiting {Wait}", syncKey, wait);
                await Task.Delay(wait, ct);
            }
            catch (IterableListNotFoundException) when (freshList && listRetries < options.NewListRetries)
            {
                // Iterable is eventually consistent: a list created a moment ago may not be writable yet.
                listRetries++;
                tally.Retries++;
                await Task.Delay(options.NewListRetryDelay, ct);
            }
            catch (IterableListNotFoundException)
            {
                throw RunFailure.Retryable($"Iterable list {listId} disappeared during the run; the next run recreates it");
            }
            catch (IterableAuthException)
            {
                throw SyncRunner.KeyRejected();
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
