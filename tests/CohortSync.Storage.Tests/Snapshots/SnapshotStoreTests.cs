using System.Data.Common;
using CohortSync.Core.Members;
using CohortSync.Storage.Migrations;
using CohortSync.Storage.Snapshots;
using CohortSync.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CohortSync.Storage.Tests.Snapshots;

public abstract class SnapshotStoreTests
{
    private const string SyncKey = "project-1/sync-1";

    protected abstract StorageBackend Backend { get; }

    protected abstract Task<string> CreateEmptyDatabaseAsync();

    protected abstract DbConnection Connect(string connectionString);

    private async Task<(string ConnectionString, ISnapshotStore Store, SnapshotStoreCounters Counters)> CreateStoreAsync()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await new DatabaseMigrator().MigrateAsync(Backend, connectionString, CancellationToken.None);
        return Backend switch
        {
            StorageBackend.Sqlite => CreateSqlite(connectionString),
            _ => CreatePostgres(connectionString),
        };

        static (string, ISnapshotStore, SnapshotStoreCounters) CreateSqlite(string cs)
        {
            var store = new SqliteSnapshotStore(cs);
            return (cs, store, store.Counters);
        }

        static (string, ISnapshotStore, SnapshotStoreCounters) CreatePostgres(string cs)
        {
            var store = new PostgresSnapshotStore(cs);
            return (cs, store, store.Counters);
        }
    }

    [Fact]
    public async Task Loading_an_unknown_sync_gives_the_empty_set()
    {
        var (_, store, _) = await CreateStoreAsync();

        var loaded = await store.LoadAsync("project-1/never-synced", CancellationToken.None);

        Assert.Empty(loaded);
    }

    [Fact]
    public async Task Appended_batches_load_as_the_set_they_produce()
    {
        var (_, store, counters) = await CreateStoreAsync();
        var expected = MemberSet.Empty;
        var batches = new (MemberSet Added, MemberSet Removed)[]
        {
            (Members("a", "b", "c", "d"), MemberSet.Empty),
            (Members("e", "f"), Members("b")),
            (Members("b", "g"), Members("a", "zz-not-there")),
            // Within one batch a member both added and removed ends up removed, as MemberSet.Apply does.
            (Members("h", "c"), Members("h", "d")),
        };

        foreach (var (added, removed) in batches)
        {
            await store.AppendAsync(SyncKey, added, removed, CancellationToken.None);
            expected = expected.Apply(added, removed);
            AssertSameMembers(expected, await store.LoadAsync(SyncKey, CancellationToken.None));
        }

        Assert.Equal(["b", "c", "e", "f", "g"], expected.ToArray());
        Assert.Equal(batches.Length, counters.JournalEntriesAppended);
    }

    [Fact]
    public async Task Compaction_folds_the_journal_into_the_base()
    {
        var (connectionString, store, _) = await CreateStoreAsync();
        var members = Generate(5_000, seed: 1);
        await store.AppendAsync(SyncKey, members, MemberSet.Empty, CancellationToken.None);
        var extra = Generate(300, seed: 2);
        await store.AppendAsync(SyncKey, extra, Take(members, 0, 100), CancellationToken.None);
        var current = await store.LoadAsync(SyncKey, CancellationToken.None);

        await store.CompactAsync(SyncKey, current, CancellationToken.None);

        Assert.Equal(0, await CountAsync(connectionString, "cohortsync_snapshot_journal", SyncKey));
        Assert.True(await CountAsync(connectionString, "cohortsync_snapshot_chunk", SyncKey) > 0);
        AssertSameMembers(current, await store.LoadAsync(SyncKey, CancellationToken.None));

        // Batches appended after a compaction apply on top of the new base.
        await store.AppendAsync(SyncKey, Members("0-first"), Take(current, 10, 1), CancellationToken.None);
        AssertSameMembers(current.Apply(Members("0-first"), Take(current, 10, 1)), await store.LoadAsync(SyncKey, CancellationToken.None));
    }

    [Fact]
    public async Task Compaction_after_a_small_change_rewrites_only_the_chunks_it_touches()
    {
        var (connectionString, store, _) = await CreateStoreAsync();
        var members = Generate(40_000, seed: 3);
        var first = await Compact(store, members);
        Assert.True(first.ChunksWritten >= 8, $"expected several chunks, got {first.ChunksWritten}");
        var before = await ChunkRowsAsync(connectionString);

        var unchanged = await Compact(store, members);
        Assert.Equal(new CompactionResult(0, 0, first.ChunksWritten, 0), unchanged);
        Assert.Equal(before, await ChunkRowsAsync(connectionString));

        // One member added in the middle and one removed near the end: at most two chunks each.
        var changed = members.Apply(Members(members[20_000] + "-new"), Take(members, 35_000, 1));
        var small = await Compact(store, changed);
        var after = await ChunkRowsAsync(connectionString);

        Assert.InRange(small.ChunksWritten + small.ChunksDeleted, 1, 4);
        var rewritten = after.Except(before).Count();
        var vanished = before.Except(after).Count();
        Assert.Equal(small.ChunksWritten, rewritten);
        Assert.InRange(vanished, 0, 4);
        Assert.True(after.Intersect(before).Count() >= before.Count - 4);
        AssertSameMembers(changed, await store.LoadAsync(SyncKey, CancellationToken.None));
    }

    [Fact]
    public async Task Clear_forgets_the_base_and_the_journal()
    {
        var (connectionString, store, _) = await CreateStoreAsync();
        await Compact(store, Generate(3_000, seed: 4));
        await store.AppendAsync(SyncKey, Members("late"), MemberSet.Empty, CancellationToken.None);
        await store.AppendAsync("project-1/other", Members("kept"), MemberSet.Empty, CancellationToken.None);

        await store.ClearAsync(SyncKey, CancellationToken.None);

        Assert.Empty(await store.LoadAsync(SyncKey, CancellationToken.None));
        Assert.Equal(0, await CountAsync(connectionString, "cohortsync_snapshot_chunk", SyncKey));
        Assert.Equal(0, await CountAsync(connectionString, "cohortsync_snapshot_journal", SyncKey));
        Assert.Equal(["kept"], (await store.LoadAsync("project-1/other", CancellationToken.None)).ToArray());
    }

    [Fact]
    public async Task Syncs_do_not_see_each_other()
    {
        var (_, store, _) = await CreateStoreAsync();
        await Compact(store, Members("a", "b"), "p/one");
        await Compact(store, Members("c"), "p/two");
        await store.AppendAsync("p/two", Members("d"), Members("c"), CancellationToken.None);

        Assert.Equal(["a", "b"], (await store.LoadAsync("p/one", CancellationToken.None)).ToArray());
        Assert.Equal(["d"], (await store.LoadAsync("p/two", CancellationToken.None)).ToArray());
    }

    [Fact]
    public async Task Hundred_thousand_members_round_trip()
    {
        var (_, store, _) = await CreateStoreAsync();
        var members = Generate(100_000, seed: 5);

        await Compact(store, members);
        var loaded = await store.LoadAsync(SyncKey, CancellationToken.None);
        AssertSameMembers(members, loaded);

        var removed = Take(members, 50_000, 1_000);
        var added = Generate(1_000, seed: 6);
        await store.AppendAsync(SyncKey, added, removed, CancellationToken.None);
        var expected = members.Apply(added, removed);
        AssertSameMembers(expected, await store.LoadAsync(SyncKey, CancellationToken.None));

        var result = await Compact(store, expected);
        Assert.True(result.ChunksUnchanged > 0, "a 1% change in one region must leave most chunks alone");
        AssertSameMembers(expected, await store.LoadAsync(SyncKey, CancellationToken.None));
    }

    [Fact]
    public async Task A_damaged_chunk_fails_the_load_loudly()
    {
        var (connectionString, store, _) = await CreateStoreAsync();
        await Compact(store, Generate(10_000, seed: 8));

        // Half of every stored chunk: what a torn or hand-edited row would look like.
        await using (var connection = Connect(connectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT chunk_key, payload FROM cohortsync_snapshot_chunk WHERE sync_key = @sync_key";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "sync_key";
            parameter.Value = SyncKey;
            command.Parameters.Add(parameter);
            var rows = new List<(byte[] Key, byte[] Payload)>();
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync()) rows.Add((reader.GetFieldValue<byte[]>(0), reader.GetFieldValue<byte[]>(1)));
            foreach (var (key, payload) in rows)
            {
                await using var update = connection.CreateCommand();
                update.CommandText = "UPDATE cohortsync_snapshot_chunk SET payload = @payload WHERE sync_key = @sync_key AND chunk_key = @chunk_key";
                foreach (var (name, value) in new (string, object)[] { ("payload", payload[..(payload.Length / 2)]), ("sync_key", SyncKey), ("chunk_key", key) })
                {
                    var p = update.CreateParameter();
                    p.ParameterName = name;
                    p.Value = value;
                    update.Parameters.Add(p);
                }
                await update.ExecuteNonQueryAsync();
            }
        }

        await Assert.ThrowsAsync<InvalidDataException>(() => store.LoadAsync(SyncKey, CancellationToken.None));
    }

    private static async Task<CompactionResult> Compact(ISnapshotStore store, MemberSet members, string syncKey = SyncKey) => store switch
    {
        SqliteSnapshotStore sqlite => await sqlite.CompactAsync(syncKey, members, CancellationToken.None),
        PostgresSnapshotStore postgres => await postgres.CompactAsync(syncKey, members, CancellationToken.None),
        _ => throw new InvalidOperationException(),
    };

    private static MemberSet Members(params string[] members) => MemberSet.From(members);

    private static MemberSet Take(MemberSet members, int start, int count) => MemberSet.From(Enumerable.Range(start, count).Select(i => members[i]));

    /// <summary>Identifiers shaped like real ones (emails and ids of varied length), reproducible by seed.</summary>
    private static MemberSet Generate(int count, int seed)
    {
        var random = new Random(seed);
        var builder = new MemberSetBuilder(count);
        for (var i = 0; i < count; i++)
        {
            builder.Add(random.Next(3) switch
            {
                0 => $"user{random.NextInt64(1_000_000_000_000):D12}@example.com",
                1 => $"{Guid.NewGuid():N}"[..(8 + random.Next(24))],
                _ => $"acct-{seed}-{i}-{random.Next():x}",
            });
        }
        return builder.Build();
    }

    private static void AssertSameMembers(MemberSet expected, MemberSet actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            if (!expected.GetUtf8(i).SequenceEqual(actual.GetUtf8(i)))
                Assert.Fail($"member {i} differs: expected '{expected[i]}', got '{actual[i]}'");
        }
    }

    private async Task<long> CountAsync(string connectionString, string table, string syncKey)
    {
        await using var connection = Connect(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table} WHERE sync_key = @sync_key";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "sync_key";
        parameter.Value = syncKey;
        command.Parameters.Add(parameter);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Each chunk row as key + content hash, to see which rows a compaction replaced.</summary>
    private async Task<HashSet<string>> ChunkRowsAsync(string connectionString)
    {
        await using var connection = Connect(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT chunk_key, content_hash FROM cohortsync_snapshot_chunk";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new HashSet<string>();
        while (await reader.ReadAsync())
            rows.Add(Convert.ToHexString(reader.GetFieldValue<byte[]>(0)) + ":" + Convert.ToHexString(reader.GetFieldValue<byte[]>(1)));
        return rows;
    }
}

public sealed class SqliteSnapshotStoreTests : SnapshotStoreTests, IDisposable
{
    private readonly TempDirectory _folder = new();
    private int _files;

    protected override StorageBackend Backend => StorageBackend.Sqlite;

    protected override Task<string> CreateEmptyDatabaseAsync() =>
        Task.FromResult(SqliteConnectionStrings.ForFile(_folder.File($"snapshots-{Interlocked.Increment(ref _files)}.db")));

    protected override DbConnection Connect(string connectionString) => new SqliteConnection(connectionString);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

[Collection(PostgresFixture.Collection)]
public sealed class PostgresSnapshotStoreTests(PostgresFixture postgres) : SnapshotStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;

    protected override Task<string> CreateEmptyDatabaseAsync() => postgres.CreateDatabaseAsync();

    protected override DbConnection Connect(string connectionString) => new NpgsqlConnection(connectionString);
}
