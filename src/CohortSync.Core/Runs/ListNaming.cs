namespace CohortSync.Core.Runs;

/// <summary>The Iterable list a cohort lands in, named as Amplitude's own integration names it.</summary>
public static class ListNaming
{
    public const string Prefix = "[Amplitude] ";

    public static string ForCohort(string cohortName) => Prefix + cohortName.Trim();

    /// <summary>
    /// The names a sync's list may take, in order: <c>[Amplitude] Name</c>, then, when another sync of the same Iterable
    /// project owns that one (two cohorts share a name, or one cohort goes to two destinations on one Iterable project),
    /// <c>[Amplitude] Name (cohortId)</c>, then <c>[Amplitude] Name (cohortId, syncId)</c>. A list has one owner.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string cohortName, string cohortId, string syncId)
    {
        var name = ForCohort(cohortName);
        return [name, $"{name} ({cohortId})", $"{name} ({cohortId}, {syncId})"];
    }

    /// <summary>
    /// Whether the cohort was renamed since <paramref name="listName"/> was made for it: the name is none the cohort's
    /// current name could give (a list named after another of its candidates is not a rename).
    /// </summary>
    public static bool IsRenamed(string listName, string cohortName, string cohortId, string syncId) =>
        !Candidates(cohortName, cohortId, syncId).Contains(listName);
}
