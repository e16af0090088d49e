namespace CohortSync.Iterable;

/// <summary>A list as GET /api/lists describes it.</summary>
public sealed record IterableList(long Id, string Name, string ListType, DateTimeOffset CreatedAt, string? Description)
{
    public bool IsStandard => string.Equals(ListType, "Standard", StringComparison.Ordinal);

    /// <summary>
    /// The Standard lists in the order a name finds them: Iterable allows duplicate names, and the oldest one wins
    /// so that every run settles on the same list.
    /// </summary>
    public static IEnumerable<IterableList> InFindOrder(IEnumerable<IterableList> lists) =>
        lists.Where(list => list.IsStandard).OrderBy(list => list.CreatedAt).ThenBy(list => list.Id);
}
