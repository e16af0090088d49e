using System.Security.Cryptography;
using CohortSync.Storage;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests.Harness;

/// <summary>
/// The database a scenario's silo runs on: its own SQLite file in the data folder (the default), or a
/// fresh database on the test run's shared PostgreSQL server. <see cref="SiloArgsAsync"/> gives the silo
/// options for it, made once per scenario so a restarted silo finds the same database.
/// </summary>
public sealed class StorageUnderTest(StorageBackend backend, PostgresFixture? postgres = null)
{
    public static readonly StorageUnderTest Sqlite = new(StorageBackend.Sqlite);

    public StorageBackend Backend { get; } = backend;

    public static StorageUnderTest Postgres(PostgresFixture postgres) => new(StorageBackend.Postgres, postgres);

    /// <summary>Silo options for a new, empty database; the data folder also holds the cluster's shared secret key.</summary>
    public async Task<string[]> SiloArgsAsync(string dataDir)
    {
        if (Backend == StorageBackend.Sqlite) return [];
        var connectionString = await postgres!.CreateDatabaseAsync();
        // A cluster takes its key from configuration, never generates one: every silo must decrypt every other's secrets.
        var keyFile = Path.Combine(dataDir, "cluster-secret.key");
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return ["--storage", "postgres", "--postgres", connectionString, "--migrate", "true", "--secret-key-file", keyFile];
    }

    public override string ToString() => Backend.ToString();
}
