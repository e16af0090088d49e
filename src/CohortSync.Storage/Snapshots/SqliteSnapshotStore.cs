using System.Data.Common;
using CohortSync.Core.Members;
using Microsoft.Data.Sqlite;

namespace CohortSync.Storage.Snapshots;

/// <summary>The snapshot store in the embedded SQLite file (tables from the SQLite migrations).</summary>
public sealed class SqliteSnapshotStore(string connectionString) : ISnapshotStore
{
    private readonly ChunkedSnapshotStore _store = new(
        async cancellationToken =>
        {
            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            return connection;
        },
        // Reads see one consistent snapshot; writers take the write lock up front (BEGIN IMMEDIATE) so two
        // writers queue instead of failing halfway with SQLITE_BUSY.
        (connection, access, _) => ValueTask.FromResult<DbTransaction>(
            ((SqliteConnection)connection).BeginTransaction(deferred: access == SnapshotAccess.Read)));

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
