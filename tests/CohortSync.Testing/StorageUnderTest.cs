using System.Security.Cryptography;
using CohortSync.Storage;

namespace CohortSync.Testing;

/// <summary>
/// The database a world's silos run on: a SQLite file in the data folder (the default), or a fresh database
/// on the test collection's shared PostgreSQL server (one server per collection, one database per test).
/// </summary>
public sealed class StorageUnderTest(StorageBackend backend, PostgresFixture? postgres = null)
{
    public static readonly StorageUnderTest Sqlite = new(StorageBackend.Sqlite);

    public StorageBackend Backend { get; } = backend;

    public PostgresFixture PostgresFixture => postgres ?? throw new InvalidOperationException("SQLite storage has no PostgreSQL server");

    public static StorageUnderTest Postgres(PostgresFixture postgres) => new(StorageBackend.Postgres, postgres);

    /// <summary>A new, empty PostgreSQL database; its connection string.</summary>
    public Task<string> CreateDatabaseAsync() => PostgresFixture.CreateDatabaseAsync();

    /// <summary>
    /// Options for an in-process silo on <paramref name="connectionString"/>, or a new, empty database when none is given
    /// (migrated at start); made once per world so a restarted silo finds the same database. The data folder also holds
    /// the cluster's shared secret key.
    /// </summary>
    public async Task<string[]> SiloArgsAsync(string dataDir, string? connectionString = null)
    {
        if (Backend == StorageBackend.Sqlite) return [];
        if (string.IsNullOrEmpty(connectionString)) connectionString = await CreateDatabaseAsync();
        // A cluster takes its key from configuration, never generates one: every silo must decrypt every other's secrets.
        var keyFile = Path.Combine(dataDir, "cluster-secret.key");
        await File.WriteAllTextAsync(keyFile, NewSecretKey());
        return ["--storage", "postgres", "--postgres", connectionString, "--migrate", "true", "--secret-key-file", keyFile];
    }

    /// <summary>A cluster's secret key: base64 of 32 random bytes.</summary>
    public static string NewSecretKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public override string ToString() => Backend.ToString();
}
