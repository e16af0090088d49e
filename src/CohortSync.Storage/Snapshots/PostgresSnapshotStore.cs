using System.Data;
using System.Data.Common;
using Npgsql;

namespace CohortSync.Storage.Snapshots;

/// <summary>The snapshot store in the cluster's PostgreSQL database (tables from the PostgreSQL migrations).</summary>
public sealed class PostgresSnapshotStore(string connectionString) : ChunkedSnapshotStore
{
    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    // A load reads base and journal from one snapshot, even while another silo compacts.
    protected override async ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, SnapshotAccess access, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(access == SnapshotAccess.Read ? IsolationLevel.RepeatableRead : IsolationLevel.ReadCommitted, cancellationToken);
}
