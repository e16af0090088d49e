namespace CohortSync.Iterable;

/// <summary>A list as GET /api/lists describes it.</summary>
public sealed record IterableList(long Id, string Name, string ListType, DateTimeOffset CreatedAt, string? Description)
{
    public bool IsStandard => string.Equals(ListType, "Standard", StringComparison.Ordinal);
}
