namespace CohortSync.Storage;

/// <summary>
/// ADO.NET invariant names that Orleans' AdoNet providers (clustering, persistence, reminders) map to a
/// driver. With Microsoft.Data.Sqlite the SQLite invariant is still "System.Data.SQLite": Orleans 10.4
/// resolves it to Microsoft.Data.Sqlite's SqliteFactory.
/// </summary>
public static class OrleansAdoNet
{
    public const string SqliteInvariant = "System.Data.SQLite";
    public const string PostgresInvariant = "Npgsql";

    public static string InvariantFor(StorageBackend backend) => backend switch
    {
        StorageBackend.Sqlite => SqliteInvariant,
        StorageBackend.Postgres => PostgresInvariant,
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, null),
    };
}
