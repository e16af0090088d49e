namespace CohortSync.Grains;

public static class StorageNames
{
    /// <summary>The grain storage provider every grain persists to.</summary>
    public const string Main = "cohortsync";
}
