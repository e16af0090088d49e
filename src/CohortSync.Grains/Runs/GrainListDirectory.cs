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

    /// <summary>Asks; a grain that forgot its endpoint (its storage row was lost) is configured again and asked once more.</summary>
    private async Task<ListAnswer> AskAsync(Func<CancellationToken, Task<ListAnswer>> ask, CancellationToken ct)
    {
        var answer = await retry.CallAsync(ask, ct);
        if (answer.Failure == ListFailure.NotConfigured)
        {
            await retry.CallAsync(_ => project.ConfigureAsync(endpoint), ct);
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
