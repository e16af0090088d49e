using CohortSync.Grains.IterableProjects;

namespace CohortSync.Grains.Runs;

/// <summary>The run's door to its Iterable project's grain: short questions, cluster faults ridden out, answers made outcomes.</summary>
internal sealed class GrainListDirectory(IIterableProjectGrain project, IterableEndpoint endpoint, ClusterRetry retry) : IListDirectory
{
    public async Task<(long ListId, bool Created)> EnsureAsync(string listName, CancellationToken ct)
    {
        var answer = await AskAsync(token => project.EnsureListAsync(listName, token), ct);
        return (answer.ListId, answer.Created);
    }

    public async Task<(long ListId, bool Created, string Name)> EnsureOwnedAsync(IReadOnlyList<string> names, string owner, CancellationToken ct)
    {
        var answer = await AskAsync(token => project.EnsureOwnedListAsync(names, owner, token), ct);
        return (answer.ListId, answer.Created, answer.Name ?? names[0]);
    }

    public Task<bool> ClaimAsync(string listName, string owner, CancellationToken ct) => retry.CallAsync(_ => project.ClaimListAsync(listName, owner), ct);

    public Task ReleaseAsync(string listName, string owner, CancellationToken ct) => retry.CallAsync(_ => project.ReleaseListAsync(listName, owner), ct);

    public async Task<bool> ExistsAsync(long listId, CancellationToken ct) =>
        (await AskAsync(token => project.CheckListAsync(listId, token), ct)).Exists;

    public async Task<bool> ExistsAfterRejectionAsync(long listId, CancellationToken ct) =>
        (await AskAsync(token => project.CheckRejectedListAsync(listId, token), ct)).Exists;

    /// <summary>How often a lookup that Iterable kept answering 429 is asked again, and the longest wait between two.</summary>
    private const int RateLimitedAsks = 30;
    private static readonly TimeSpan LongestRateLimitedWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Asks; a grain that forgot its endpoint (its storage row was lost) is configured again and asked once more. A
    /// lookup that met a storm of 429s past one call's retries is asked again with backoff (a 429 slows a run, it does not
    /// fail it: the run has its cohort already, and failing would leave a recurring sync for its next slot).
    /// </summary>
    private async Task<ListAnswer> AskAsync(Func<CancellationToken, Task<ListAnswer>> ask, CancellationToken ct)
    {
        var answer = await retry.CallAsync(ask, ct);
        if (answer.Failure == ListFailure.NotConfigured)
        {
            await retry.CallAsync(_ => project.ConfigureAsync(endpoint), ct);
            answer = await retry.CallAsync(ask, ct);
        }
        var wait = TimeSpan.FromSeconds(1);
        for (var asked = 1; answer.Failure == ListFailure.RateLimited && asked < RateLimitedAsks; asked++)
        {
            await Task.Delay(wait, ct);
            wait = wait * 2 > LongestRateLimitedWait ? LongestRateLimitedWait : wait * 2;
            answer = await retry.CallAsync(ask, ct);
        }
        return answer.Failure switch
        {
            null => answer,
            ListFailure.KeyRejected => throw RunFailures.KeyRejected(),
            ListFailure.Taken => throw RunFailure.Permanent(answer.Detail! + "; stop one of them or give the cohorts distinct names"),
            _ => throw RunFailure.Retryable($"could not find or create the Iterable list ({answer.Detail}); the next run tries again"),
        };
    }
}
