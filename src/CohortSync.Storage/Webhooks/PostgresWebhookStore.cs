using System.Data;
using System.Data.Common;
using Npgsql;

namespace CohortSync.Storage.Webhooks;

/// <summary>The webhook store in the cluster's PostgreSQL database (tables from the PostgreSQL migrations).</summary>
public sealed class PostgresWebhookStore(string connectionString) : SqlWebhookStore
{
    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    // Read committed is enough: the cohort's counter row serialises the writers of one cohort.
    protected override async ValueTask<DbTransaction> BeginWriteTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
}
