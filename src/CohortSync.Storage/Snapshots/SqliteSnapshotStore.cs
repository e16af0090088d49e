using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace CohortSync.Storage.Snapshots;

/// <summary>The snapshot store in the embedded SQLite file (tables from the SQLite migrations).</summary>
public sealed class SqliteSnapshotStore(string connectionString) : ChunkedSnapshotStore
{
    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    // Reads see one consistent snapshot; writers take the write lock up front (BEGIN IMMEDIATE) so two
    // writers queue instead of failing halfway with SQLITE_BUSY.
    protected override ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, SnapshotAccess access, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: access == SnapshotAccess.Read));
}
