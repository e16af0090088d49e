using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace CohortSync.Storage.Webhooks;

/// <summary>The webhook store in the embedded SQLite file (tables from the SQLite migrations).</summary>
public sealed class SqliteWebhookStore(string connectionString) : SqlWebhookStore
{
    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    // BEGIN IMMEDIATE: writers queue for the write lock instead of failing halfway with SQLITE_BUSY.
    protected override ValueTask<DbTransaction> BeginWriteTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
}
