using System.Data;
using System.Data.Common;
using CohortSync.Core.Members;
using Npgsql;

namespace CohortSync.Storage.Snapshots;

/// <summary>The snapshot store in the cluster's PostgreSQL database (tables from the PostgreSQL migrations).</summary>
public sealed class PostgresSnapshotStore(string connectionString) : ISnapshotStore
{
    private readonly ChunkedSnapshotStore _store = new(
        async cancellationToken =>
        {
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            return connection;
        },
        // A load reads base and journal from one snapshot, even while another silo compacts.
        async (connection, access, cancellationToken) => await connection.BeginTransactionAsync(
            access == SnapshotAccess.Read ? IsolationLevel.RepeatableRead : IsolationLevel.ReadCommitted, cancellationToken));

    public SnapshotStoreCounters Counters => _store.Counters;

    public Task<MemberSet> LoadAsync(string syncKey, CancellationToken cancellationToken) =>
        _store.LoadAsync(syncKey, cancellationToken);

    public Task AppendAsync(string syncKey, MemberSet added, MemberSet removed, CancellationToken cancellationToken) =>
        _store.AppendAsync(syncKey, added, removed, cancellationToken);

    public Task<CompactionResult> CompactAsync(string syncKey, MemberSet current, CancellationToken cancellationToken) =>
        _store.CompactAsync(syncKey, current, cancellationToken);

    Task ISnapshotStore.CompactAsync(string syncKey, MemberSet current, CancellationToken cancellationToken) =>
        CompactAsync(syncKey, current, cancellationToken);

    public Task ClearAsync(string syncKey, CancellationToken cancellationToken) =>
        _store.ClearAsync(syncKey, cancellationToken);
}
