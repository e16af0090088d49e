using CohortSync.Grains.Runs;
using CohortSync.Sandbox.Iterable;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// The lists of one sandbox Iterable project, found and created through the sandbox's own surface (no HTTP, so the
/// request log shows only what the runner's client sent). A list deleted in the sandbox is reported gone.
/// </summary>
public sealed class FakeListDirectory(IterableSandbox sandbox, string apiKey) : IListDirectory
{
    /// <summary>Thrown by every call while set, as a failing project grain would.</summary>
    public Exception? Failure { get; set; }

    public int Ensured { get; private set; }

    public Task<(long ListId, bool Created)> EnsureAsync(string listName, CancellationToken ct)
    {
        if (Failure is not null) throw Failure;
        Ensured++;
        var existing = sandbox.GetLists(apiKey).FirstOrDefault(list => list.Name == listName);
        return Task.FromResult(existing is null ? (sandbox.CreateList(apiKey, listName), true) : (existing.Id, false));
    }

    public Task<bool> ExistsAsync(long listId, CancellationToken ct)
    {
        if (Failure is not null) throw Failure;
        return Task.FromResult(sandbox.GetLists(apiKey).Any(list => list.Id == listId));
    }
}
