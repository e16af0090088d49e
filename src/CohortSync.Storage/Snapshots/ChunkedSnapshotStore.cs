using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using CohortSync.Core.Members;

namespace CohortSync.Storage.Snapshots;

public enum SnapshotAccess
{
    Read,
    Write,
}

/// <summary>
/// The snapshot store's logic over plain ADO.NET; the SQLite and PostgreSQL stores differ only in how
/// they open connections and transactions (the SQL is the same for both).
/// Tables: <c>cohortsync_snapshot_chunk</c> (the base, one row per content-defined chunk keyed by its
/// first member) and <c>cohortsync_snapshot_journal</c> (acknowledged batches since the last compaction).
/// </summary>
public abstract class ChunkedSnapshotStore : ISnapshotStore
{
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    protected abstract ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, SnapshotAccess access, CancellationToken cancellationToken);

    public const int MaxSyncKeyLength = 200;

    public SnapshotStoreCounters Counters { get; } = new();

    public async Task<MemberSet> LoadAsync(string syncKey, CancellationToken cancellationToken)
    {
        ValidateKey(syncKey);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginTransactionAsync(connection, SnapshotAccess.Read, cancellationToken);

        long memberCount, rawBytes;
        await using (var totals = Command(connection, transaction,
            "SELECT count(*), coalesce(sum(member_count), 0), coalesce(sum(raw_bytes), 0) FROM cohortsync_snapshot_chunk WHERE sync_key = @sync_key;"))
        {
            Add(totals, "sync_key", syncKey);
            await using var reader = await totals.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            memberCount = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
            rawBytes = Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture);
        }

        var snapshot = MemberSet.Empty;
        if (memberCount > 0)
        {
            // Sized exactly, so the writer never grows and Build hands over its arrays without copying.
            var writer = new MemberSetWriter(checked((int)rawBytes), checked((int)memberCount));
            await using var chunks = Command(connection, transaction,
                "SELECT payload FROM cohortsync_snapshot_chunk WHERE sync_key = @sync_key ORDER BY chunk_key;");
            Add(chunks, "sync_key", syncKey);
            await using var reader = await chunks.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                MemberChunkCodec.DecodeInto(reader.GetFieldValue<byte[]>(0), writer);
            if (writer.Count != memberCount)
                throw new InvalidDataException($"Snapshot of '{syncKey}' is inconsistent: chunks hold {writer.Count} members, their rows say {memberCount}.");
            snapshot = writer.Build();
        }

        var journal = new List<(MemberSet Added, MemberSet Removed)>();
        await using (var entries = Command(connection, transaction,
            "SELECT added, removed FROM cohortsync_snapshot_journal WHERE sync_key = @sync_key ORDER BY seq;"))
        {
            Add(entries, "sync_key", syncKey);
            await using var reader = await entries.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var added = MemberChunkCodec.Decode(reader.GetFieldValue<byte[]>(0));
                var removed = MemberChunkCodec.Decode(reader.GetFieldValue<byte[]>(1));
                journal.Add((added, removed));
            }
        }
        await transaction.CommitAsync(cancellationToken);

        var (netAdded, netRemoved) = JournalFold.Net(journal);
        return snapshot.Apply(netAdded, netRemoved);
    }

    public async Task AppendAsync(string syncKey, MemberSet added, MemberSet removed, CancellationToken cancellationToken)
    {
        ValidateKey(syncKey);
        if (added.Count == 0 && removed.Count == 0) return;
        var addedPayload = MemberChunkCodec.Encode(added);
        var removedPayload = MemberChunkCodec.Encode(removed);

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var insert = Command(connection, null,
            "INSERT INTO cohortsync_snapshot_journal (sync_key, added, removed) VALUES (@sync_key, @added, @removed);");
        Add(insert, "sync_key", syncKey);
        Add(insert, "added", addedPayload);
        Add(insert, "removed", removedPayload);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        Counters.RecordAppend();
    }

    public async Task<CompactionResult> CompactAsync(string syncKey, MemberSet current, CancellationToken cancellationToken)
    {
        ValidateKey(syncKey);

        // Everything that costs CPU happens before the transaction, so the write lock is held briefly.
        var planned = PlanChunks(current);

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginTransactionAsync(connection, SnapshotAccess.Write, cancellationToken);

        var existing = new List<(byte[] Key, byte[] Hash)>();
        await using (var read = Command(connection, transaction,
            "SELECT chunk_key, content_hash FROM cohortsync_snapshot_chunk WHERE sync_key = @sync_key;"))
        {
            Add(read, "sync_key", syncKey);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                existing.Add((reader.GetFieldValue<byte[]>(0), reader.GetFieldValue<byte[]>(1)));
        }
        existing.Sort((x, y) => x.Key.AsSpan().SequenceCompareTo(y.Key));

        await using var upsert = Command(connection, transaction, """
            INSERT INTO cohortsync_snapshot_chunk (sync_key, chunk_key, member_count, raw_bytes, content_hash, payload)
            VALUES (@sync_key, @chunk_key, @member_count, @raw_bytes, @content_hash, @payload)
            ON CONFLICT (sync_key, chunk_key) DO UPDATE SET
                member_count = excluded.member_count,
                raw_bytes = excluded.raw_bytes,
                content_hash = excluded.content_hash,
                payload = excluded.payload;
            """);
        await using var delete = Command(connection, transaction,
            "DELETE FROM cohortsync_snapshot_chunk WHERE sync_key = @sync_key AND chunk_key = @chunk_key;");

        int written = 0, deleted = 0, unchanged = 0;
        var body = new ArrayBufferWriter<byte>(64 * 1024);
        int p = 0, e = 0;
        while (p < planned.Count || e < existing.Count)
        {
            var order = p >= planned.Count ? 1
                : e >= existing.Count ? -1
                : planned[p].Key.AsSpan().SequenceCompareTo(existing[e].Key);
            if (order > 0)
            {
                await ExecuteAsync(delete, cancellationToken, ("sync_key", syncKey), ("chunk_key", existing[e].Key));
                deleted++;
                e++;
                continue;
            }

            var chunk = planned[p];
            if (order == 0 && chunk.Hash.AsSpan().SequenceEqual(existing[e].Hash))
            {
                unchanged++;
            }
            else
            {
                body.ResetWrittenCount();
                MemberChunkCodec.WriteFrontCoded(current, chunk.Start, chunk.Count, body);
                await ExecuteAsync(upsert, cancellationToken,
                    ("sync_key", syncKey), ("chunk_key", chunk.Key), ("member_count", chunk.Count),
                    ("raw_bytes", chunk.RawBytes), ("content_hash", chunk.Hash), ("payload", MemberChunkCodec.Pack(body.WrittenSpan)));
                written++;
            }
            p++;
            if (order == 0) e++;
        }

        int folded;
        await using (var clearJournal = Command(connection, transaction, "DELETE FROM cohortsync_snapshot_journal WHERE sync_key = @sync_key;"))
        {
            Add(clearJournal, "sync_key", syncKey);
            folded = await clearJournal.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        Counters.RecordCompaction(written, deleted, unchanged);
        return new CompactionResult(written, deleted, unchanged, folded);
    }

    Task ISnapshotStore.CompactAsync(string syncKey, MemberSet current, CancellationToken cancellationToken) =>
        CompactAsync(syncKey, current, cancellationToken);

    public async Task ClearAsync(string syncKey, CancellationToken cancellationToken)
    {
        ValidateKey(syncKey);
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginTransactionAsync(connection, SnapshotAccess.Write, cancellationToken);
        foreach (var table in new[] { "cohortsync_snapshot_chunk", "cohortsync_snapshot_journal" })
        {
            await using var delete = Command(connection, transaction, $"DELETE FROM {table} WHERE sync_key = @sync_key;");
            Add(delete, "sync_key", syncKey);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private sealed record PlannedChunk(byte[] Key, byte[] Hash, int Start, int Count, long RawBytes);

    /// <summary>Chunk boundaries plus each chunk's key and content hash (SHA-256 of its front-coded body).</summary>
    private static List<PlannedChunk> PlanChunks(MemberSet members)
    {
        var ranges = SnapshotChunker.Split(members);
        var planned = new List<PlannedChunk>(ranges.Count);
        var body = new ArrayBufferWriter<byte>(64 * 1024);
        foreach (var (start, count) in ranges)
        {
            body.ResetWrittenCount();
            MemberChunkCodec.WriteFrontCoded(members, start, count, body);
            long rawBytes = 0;
            for (var i = start; i < start + count; i++) rawBytes += members.GetUtf8(i).Length;
            planned.Add(new PlannedChunk(members.GetUtf8(start).ToArray(), SHA256.HashData(body.WrittenSpan), start, count, rawBytes));
        }
        return planned;
    }

    private static void ValidateKey(string syncKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(syncKey);
        if (syncKey.Length > MaxSyncKeyLength)
            throw new ArgumentException($"Sync keys are at most {MaxSyncKeyLength} characters.", nameof(syncKey));
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static async Task ExecuteAsync(DbCommand command, CancellationToken cancellationToken, params (string Name, object Value)[] values)
    {
        command.Parameters.Clear();
        foreach (var (name, value) in values) Add(command, name, value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
