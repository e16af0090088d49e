namespace CohortSync.Core.Runs;

/// <summary>The Iterable list a cohort lands in, named as Amplitude's own integration names it.</summary>
public static class ListNaming
{
    public const string Prefix = "[Amplitude] ";

    public static string ForCohort(string cohortName) => Prefix + cohortName.Trim();
}
