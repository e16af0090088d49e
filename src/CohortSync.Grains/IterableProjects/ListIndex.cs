using CohortSync.Iterable;

namespace CohortSync.Grains.IterableProjects;

/// <summary>
/// The lists of one Iterable project as one <c>GET /api/lists</c> returned them: which ids exist, and which
/// standard list a name finds (<see cref="IterableList.InFindOrder"/>).
/// </summary>
internal sealed class ListIndex
{
    private readonly HashSet<long> _ids;
    private readonly Dictionary<string, long> _byName;

    private ListIndex(HashSet<long> ids, Dictionary<string, long> byName)
    {
        _ids = ids;
        _byName = byName;
    }

    public static ListIndex From(IReadOnlyList<IterableList> lists)
    {
        var byName = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var list in IterableList.InFindOrder(lists)) byName.TryAdd(list.Name, list.Id);
        return new ListIndex([.. lists.Select(l => l.Id)], byName);
    }

    public bool Contains(long listId) => _ids.Contains(listId);

    public long? Find(string name) => _byName.TryGetValue(name, out var id) ? id : null;

    /// <summary>A list this grain has just created, which a lookup made before the creation cannot show.</summary>
    public void Add(long listId, string name)
    {
        _ids.Add(listId);
        _byName.TryAdd(name, listId);
    }
}
