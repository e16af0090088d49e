using System.Data.Common;
using CohortSync.Storage.Migrations;
using CohortSync.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CohortSync.Storage.Tests.Migrations;

public abstract class MigrationTests
{
    private static readonly string[] OrleansQueryKeys =
    [
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "UpsertReminderRowKey", "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    protected abstract StorageBackend Backend { get; }

    protected abstract Task<string> CreateEmptyDatabaseAsync();

    protected abstract DbConnection Connect(string connectionString);

    protected virtual IEnumerable<string> ExpectedQueryKeys => OrleansQueryKeys;

    [Fact]
    public async Task Migrating_an_empty_database_applies_every_script_in_order()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        var scripts = MigrationScript.For(Backend);

        var report = await new DatabaseMigrator().MigrateAsync(Backend, connectionString, CancellationToken.None);

        Assert.Equal(scripts.Select(s => s.Name), report.Applied);
        Assert.Equal(scripts[^1].Version, report.SchemaVersion);
        Assert.Equal(scripts.Select(s => (long)s.Version), await QueryAsync<long>(connectionString, $"SELECT version FROM {DatabaseMigrator.VersionTable} ORDER BY version"));
        var keys = await QueryAsync<string>(connectionString, "SELECT QueryKey FROM OrleansQuery");
        foreach (var key in ExpectedQueryKeys) Assert.Contains(key, keys);
    }

    [Fact]
    public async Task Migrating_again_changes_nothing()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        var migrator = new DatabaseMigrator();
        await migrator.MigrateAsync(Backend, connectionString, CancellationToken.None);
        var before = await SchemaFingerprintAsync(connectionString);

        var again = await migrator.MigrateAsync(Backend, connectionString, CancellationToken.None);

        Assert.False(again.ChangedAnything);
        Assert.Empty(again.Applied);
        Assert.Equal(MigrationScript.For(Backend)[^1].Version, again.SchemaVersion);
        Assert.Equal(before, await SchemaFingerprintAsync(connectionString));
    }

    [Fact]
    public async Task Every_script_can_run_twice_without_error()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await new DatabaseMigrator().MigrateAsync(Backend, connectionString, CancellationToken.None);
        var before = await SchemaFingerprintAsync(connectionString);

        // Scripts are idempotent on their own, so a half-recorded migration can simply run again.
        await using var connection = Connect(connectionString);
        await connection.OpenAsync();
        foreach (var script in MigrationScript.For(Backend))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = script.Sql;
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal(before, await SchemaFingerprintAsync(connectionString));
    }

    [Fact]
    public async Task Concurrent_migrations_apply_each_script_once()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        var reports = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            Task.Run(() => new DatabaseMigrator().MigrateAsync(Backend, connectionString, CancellationToken.None))));

        var applied = reports.SelectMany(r => r.Applied).ToList();
        Assert.Equal(MigrationScript.For(Backend).Select(s => s.Name).Order(), applied.Order());
    }

    /// <summary>Versions plus the stored query texts: what a re-run would change if it were not idempotent.</summary>
    private async Task<string> SchemaFingerprintAsync(string connectionString)
    {
        var versions = await QueryAsync<string>(connectionString, $"SELECT CAST(version AS TEXT) || ':' || name || ':' || checksum || ':' || CAST(applied_at AS TEXT) FROM {DatabaseMigrator.VersionTable} ORDER BY version");
        var queries = await QueryAsync<string>(connectionString, "SELECT QueryKey || '=' || QueryText FROM OrleansQuery ORDER BY QueryKey");
        return string.Join('\n', versions.Concat(queries));
    }

    private async Task<List<T>> QueryAsync<T>(string connectionString, string sql)
    {
        await using var connection = Connect(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync()) values.Add((T)Convert.ChangeType(reader.GetValue(0), typeof(T), System.Globalization.CultureInfo.InvariantCulture));
        return values;
    }
}

public sealed class SqliteMigrationTests : MigrationTests, IDisposable
{
    private readonly TempDirectory _folder = new();
    private int _files;

    protected override StorageBackend Backend => StorageBackend.Sqlite;

    protected override Task<string> CreateEmptyDatabaseAsync() =>
        Task.FromResult(SqliteConnectionStrings.ForFile(_folder.File($"migrate-{Interlocked.Increment(ref _files)}.db")));

    protected override DbConnection Connect(string connectionString) => new SqliteConnection(connectionString);

    [Fact]
    public async Task Migrated_sqlite_file_is_in_wal_mode()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await new DatabaseMigrator().MigrateAsync(Backend, connectionString, CancellationToken.None);

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

[Collection(PostgresFixture.Collection)]
public sealed class PostgresMigrationTests(PostgresFixture postgres) : MigrationTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;

    protected override IEnumerable<string> ExpectedQueryKeys => base.ExpectedQueryKeys.Concat(
    [
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
        "CleanupDefunctSiloEntriesKey",
    ]);

    protected override Task<string> CreateEmptyDatabaseAsync() => postgres.CreateDatabaseAsync();

    protected override DbConnection Connect(string connectionString) => new NpgsqlConnection(connectionString);
}
