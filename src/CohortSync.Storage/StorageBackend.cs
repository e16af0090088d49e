namespace CohortSync.Storage;

/// <summary>Where the cluster keeps its state: one embedded SQLite file, or a shared PostgreSQL database.</summary>
public enum StorageBackend
{
    Sqlite,
    Postgres,
}
