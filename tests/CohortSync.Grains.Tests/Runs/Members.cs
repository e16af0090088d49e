namespace CohortSync.Grains.Tests.Runs;

/// <summary>Cohort members with ids that sort the way they are numbered.</summary>
public static class Members
{
    /// <summary>user-000 … for <paramref name="from"/> up to, not including, <paramref name="to"/>.</summary>
    public static string[] Range(int from, int to) => [.. Enumerable.Range(from, to - from).Select(i => $"user-{i:D3}")];
}
