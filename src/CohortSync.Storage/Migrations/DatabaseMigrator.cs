using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CohortSync.Storage.Migrations;

/// <summary>
/// Brings a database up to the newest schema: applies, in order and in one transaction, every embedded
/// script whose version is not yet recorded in <c>cohortsync_schema_version</c>. Re-running on a migrated
/// database changes nothing. Silos may migrate at the same time: PostgreSQL serialises them with an
/// advisory lock, SQLite with its write lock (BEGIN IMMEDIATE).
/// </summary>
public sealed class DatabaseMigrator
{
    public const string VersionTable = "cohortsync_schema_version";

    // Any constant works as long as nothing else in the database uses it; this one spells "CohrtSyn".
    private const long PostgresAdvisoryLockKey = 0x436F_6872_7453_796E;

    public async Task<MigrationReport> MigrateAsync(StorageBackend backend, string connectionString, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var scripts = MigrationScript.For(backend);
        return backend switch
        {
            StorageBackend.Sqlite => await MigrateSqliteAsync(connectionString, scripts, cancellationToken),
            StorageBackend.Postgres => await MigratePostgresAsync(connectionString, scripts, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, null),
        };
    }

    private static async Task<MigrationReport> MigrateSqliteAsync(string connectionString, IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken)
    {
        // A first start points at a file in a folder that may not exist yet; SQLite creates files, not folders.
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = string.IsNullOrEmpty(file) || file.StartsWith(':') ? null : Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);

        // WAL lets readers go on while the one writer writes; the mode is stored in the file, so once is enough.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
        await ExecuteAsync(connection, null, $"""
            CREATE TABLE IF NOT EXISTS {VersionTable}
            (
                version    INTEGER NOT NULL PRIMARY KEY,
                name       TEXT    NOT NULL,
                checksum   TEXT    NOT NULL,
                applied_at TEXT    NOT NULL
            );
            """, cancellationToken);

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        return await ApplyPendingAsync(StorageBackend.Sqlite, connection, transaction, scripts,
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", cancellationToken);
    }

    private static async Task<MigrationReport> MigratePostgresAsync(string connectionString, IReadOnlyList<MigrationScript> scripts, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Taken before anything else, released by commit or rollback: concurrent migrators queue here.
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({PostgresAdvisoryLockKey});", cancellationToken);
        await ExecuteAsync(connection, transaction, $"""
            CREATE TABLE IF NOT EXISTS {VersionTable}
            (
                version    integer     NOT NULL PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL
            );
            """, cancellationToken);
        return await ApplyPendingAsync(StorageBackend.Postgres, connection, transaction, scripts, "now()", cancellationToken);
    }

    private static async Task<MigrationReport> ApplyPendingAsync(
        StorageBackend backend, DbConnection connection, DbTransaction transaction, IReadOnlyList<MigrationScript> scripts,
        string nowExpression, CancellationToken cancellationToken)
    {
        var applied = new HashSet<int>();
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = $"SELECT version FROM {VersionTable};";
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) applied.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        var appliedNow = new List<string>();
        foreach (var script in scripts)
        {
            if (applied.Contains(script.Version)) continue;
            await ExecuteAsync(connection, transaction, script.Sql, cancellationToken);
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = $"INSERT INTO {VersionTable} (version, name, checksum, applied_at) VALUES (@version, @name, @checksum, {nowExpression});";
            AddParameter(record, "version", script.Version);
            AddParameter(record, "name", script.Name);
            AddParameter(record, "checksum", script.Checksum);
            await record.ExecuteNonQueryAsync(cancellationToken);
            applied.Add(script.Version);
            appliedNow.Add(script.Name);
        }

        await transaction.CommitAsync(cancellationToken);
        return new MigrationReport(backend, appliedNow, applied.Count == 0 ? 0 : applied.Max());
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
