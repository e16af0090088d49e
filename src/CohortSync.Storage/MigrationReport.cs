namespace CohortSync.Storage;

/// <summary>What one migrate step did: the scripts it applied now, and the schema version it left behind.</summary>
public sealed record MigrationReport(StorageBackend Backend, IReadOnlyList<string> Applied, int SchemaVersion)
{
    public bool ChangedAnything => Applied.Count > 0;
}
