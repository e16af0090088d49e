using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace CohortSync.Storage.Refused;

/// <summary>A member Iterable refused for a sync: why, and when it last did.</summary>
public sealed record RefusedMember(string Member, string Reason, DateTimeOffset RefusedAt);

/// <summary>
/// The members Iterable refused, per sync, with their reasons: read whole by a run (they are few beside the cohort),
/// paged for <c>sync refused</c>, written as Iterable answers. A member refused again replaces its row.
/// </summary>
public interface IRefusedMemberStore
{
    Task<IReadOnlyList<RefusedMember>> LoadAsync(string syncKey, CancellationToken cancellationToken);

    Task PutAsync(string syncKey, IReadOnlyCollection<RefusedMember> members, CancellationToken cancellationToken);

    Task DeleteAsync(string syncKey, IReadOnlyCollection<string> members, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> members after <paramref name="after"/> in ordinal order, and how many there are in all.</summary>
    Task<(IReadOnlyList<RefusedMember> Members, long Total)> PageAsync(string syncKey, string? after, int limit, CancellationToken cancellationToken);

    Task ClearAsync(string syncKey, CancellationToken cancellationToken);
}

/// <summary>The refused-member store over plain ADO.NET: the same SQL on SQLite and PostgreSQL.</summary>
public sealed class SqlRefusedMemberStore(Func<CancellationToken, Task<DbConnection>> open) : IRefusedMemberStore
{
    // Rows per statement: well under SQLite's and PostgreSQL's parameter limits.
    private const int RowsPerStatement = 200;

    public static SqlRefusedMemberStore Sqlite(string connectionString) => new(SqlCommands.Sqlite(connectionString));

    public static SqlRefusedMemberStore Postgres(string connectionString) => new(SqlCommands.Postgres(connectionString));

    public async Task<IReadOnlyList<RefusedMember>> LoadAsync(string syncKey, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await using var command = Command(connection,
            "SELECT member, reason, refused_at FROM cohortsync_refused_member WHERE sync_key = @sync_key ORDER BY member;", ("sync_key", syncKey));
        return await ReadAsync(command, cancellationToken);
    }

    public async Task PutAsync(string syncKey, IReadOnlyCollection<RefusedMember> members, CancellationToken cancellationToken)
    {
        if (members.Count == 0) return;
        await using var connection = await open(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var rows in members.Chunk(RowsPerStatement))
        {
            var values = string.Join(", ", rows.Select((_, i) => $"(@sync_key, @m{i}, @r{i}, @t{i})"));
            var parameters = new List<(string, object?)> { ("sync_key", syncKey) };
            for (var i = 0; i < rows.Length; i++)
            {
                parameters.Add(($"m{i}", rows[i].Member));
                parameters.Add(($"r{i}", rows[i].Reason));
                parameters.Add(($"t{i}", rows[i].RefusedAt.ToUnixTimeMilliseconds()));
            }
            await using var command = Command(connection, $"""
                INSERT INTO cohortsync_refused_member (sync_key, member, reason, refused_at) VALUES {values}
                ON CONFLICT (sync_key, member) DO UPDATE SET reason = excluded.reason, refused_at = excluded.refused_at;
                """, [.. parameters]);
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task DeleteAsync(string syncKey, IReadOnlyCollection<string> members, CancellationToken cancellationToken)
    {
        if (members.Count == 0) return;
        await using var connection = await open(cancellationToken);
        foreach (var rows in members.Chunk(RowsPerStatement))
        {
            var names = string.Join(", ", rows.Select((_, i) => $"@m{i}"));
            await using var command = Command(connection, $"DELETE FROM cohortsync_refused_member WHERE sync_key = @sync_key AND member IN ({names});",
                [("sync_key", syncKey), .. rows.Select((member, i) => ($"m{i}", (object?)member))]);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task<(IReadOnlyList<RefusedMember> Members, long Total)> PageAsync(string syncKey, string? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await using var count = Command(connection, "SELECT COUNT(*) FROM cohortsync_refused_member WHERE sync_key = @sync_key;", ("sync_key", syncKey));
        var total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        // Identifiers are never empty, so "" starts the first page. Ordinal order on both databases: COLLATE "C" on PostgreSQL, SQLite's default BINARY.
        var order = connection is NpgsqlConnection ? "member COLLATE \"C\"" : "member";
        await using var page = Command(connection, $"""
            SELECT member, reason, refused_at FROM cohortsync_refused_member
            WHERE sync_key = @sync_key AND {order} > @after ORDER BY {order} LIMIT @limit;
            """, ("sync_key", syncKey), ("after", after ?? ""), ("limit", limit));
        return (await ReadAsync(page, cancellationToken), total);
    }

    public async Task ClearAsync(string syncKey, CancellationToken cancellationToken)
    {
        await using var connection = await open(cancellationToken);
        await using var command = Command(connection, "DELETE FROM cohortsync_refused_member WHERE sync_key = @sync_key;", ("sync_key", syncKey));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<RefusedMember>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var members = new List<RefusedMember>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            members.Add(new RefusedMember(reader.GetString(0), reader.GetString(1),
                DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture))));
        return members;
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        SqlCommands.Create(connection, sql, parameters);
}
