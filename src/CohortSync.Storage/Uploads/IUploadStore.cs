using System.Data.Common;
using System.Globalization;

namespace CohortSync.Storage.Uploads;

/// <summary>
/// Uploaded member files, in numbered chunks per (sync, upload): written one chunk per call (a chunk written again
/// replaces itself, so a client may resend one whose answer it lost), read back in order, deleted once used.
/// </summary>
public interface IUploadStore
{
    /// <param name="lines">The chunk's <paramref name="members"/> identifiers, one per line.</param>
    Task PutChunkAsync(string syncKey, string uploadId, int seq, string lines, int members, CancellationToken cancellationToken);

    /// <summary>The upload's chunks and members so far.</summary>
    Task<(int Chunks, long Members)> CountAsync(string syncKey, string uploadId, CancellationToken cancellationToken);

    /// <summary>Every identifier of the upload, chunk by chunk in order.</summary>
    Task ReadAsync(string syncKey, string uploadId, Action<ReadOnlySpan<char>> accept, CancellationToken cancellationToken);

    /// <summary>Deletes the sync's uploads other than <paramref name="keep"/> (null: all of them).</summary>
    Task DeleteAsync(string syncKey, string? keep, CancellationToken cancellationToken);

    /// <summary>Deletes one upload (the run that used it succeeded).</summary>
    Task DeleteUploadAsync(string syncKey, string uploadId, CancellationToken cancellationToken);
}

/// <summary>The upload store over plain ADO.NET: the same SQL on SQLite and PostgreSQL.</summary>
public sealed class SqlUploadStore(Func<CancellationToken, Task<DbConnection>> open) : IUploadStore
{
    public static SqlUploadStore Sqlite(string connectionString) => new(SqlCommands.Sqlite(connectionString));

    public static SqlUploadStore Postgres(string connectionString) => new(SqlCommands.Postgres(connectionString));

    public async Task PutChunkAsync(string syncKey, string uploadId, int seq, string lines, int members, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await using var command = Command(connection, """
            INSERT INTO cohortsync_upload_chunk (sync_key, upload_id, seq, members, ids) VALUES (@sync_key, @upload_id, @seq, @members, @ids)
            ON CONFLICT (sync_key, upload_id, seq) DO UPDATE SET members = excluded.members, ids = excluded.ids;
            """, ("sync_key", syncKey), ("upload_id", uploadId), ("seq", seq), ("members", members), ("ids", lines));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<(int Chunks, long Members)> CountAsync(string syncKey, string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await using var command = Command(connection,
            "SELECT COUNT(*), COALESCE(SUM(members), 0) FROM cohortsync_upload_chunk WHERE sync_key = @sync_key AND upload_id = @upload_id;",
            ("sync_key", syncKey), ("upload_id", uploadId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
    }

    public async Task ReadAsync(string syncKey, string uploadId, Action<ReadOnlySpan<char>> accept, CancellationToken cancellationToken)
    {
        // One chunk at a time, so the file is never in memory whole (beside the set it becomes).
        var (chunks, _) = await CountAsync(syncKey, uploadId, cancellationToken);
        await using var connection = await open(cancellationToken);
        for (var seq = 0; seq < chunks; seq++)
        {
            await using var command = Command(connection,
                "SELECT ids FROM cohortsync_upload_chunk WHERE sync_key = @sync_key AND upload_id = @upload_id AND seq = @seq;",
                ("sync_key", syncKey), ("upload_id", uploadId), ("seq", seq));
            var ids = await command.ExecuteScalarAsync(cancellationToken) as string
                ?? throw new InvalidOperationException($"chunk {seq} of upload {uploadId} is missing");
            foreach (var line in ids.AsSpan().EnumerateLines())
                if (!line.IsEmpty) accept(line);
        }
    }

    public async Task DeleteAsync(string syncKey, string? keep, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await using var command = Command(connection,
            "DELETE FROM cohortsync_upload_chunk WHERE sync_key = @sync_key AND (@keep IS NULL OR upload_id <> @keep);",
            ("sync_key", syncKey), ("keep", keep));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteUploadAsync(string syncKey, string uploadId, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await using var command = Command(connection, "DELETE FROM cohortsync_upload_chunk WHERE sync_key = @sync_key AND upload_id = @upload_id;",
            ("sync_key", syncKey), ("upload_id", uploadId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        SqlCommands.Create(connection, sql, parameters);
}
