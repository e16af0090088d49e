using CohortSync.Storage.Migrations;
using CohortSync.Storage.Refused;
using CohortSync.Testing;
using Microsoft.Data.Sqlite;

namespace CohortSync.Storage.Tests.Refused;

public abstract class RefusedMemberStoreTests
{
    private const string Sync = "p-1/s-1";
    private static readonly DateTimeOffset First = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    protected abstract StorageBackend Backend { get; }

    protected abstract Task<string> CreateEmptyDatabaseAsync();

    protected abstract IRefusedMemberStore Create(string connectionString);

    private async Task<IRefusedMemberStore> CreateStoreAsync()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await new DatabaseMigrator().MigrateAsync(Backend, connectionString, CancellationToken.None);
        return Create(connectionString);
    }

    [Fact]
    public async Task A_member_refused_again_replaces_its_reason_and_time_and_other_syncs_are_apart()
    {
        var store = await CreateStoreAsync();
        await store.PutAsync(Sync, [new("b", "conflict", First), new("a", "invalid", First)], CancellationToken.None);
        await store.PutAsync("p-1/other", [new("a", "forgotten", First)], CancellationToken.None);

        await store.PutAsync(Sync, [new("a", "invalidData", First.AddDays(8))], CancellationToken.None);

        Assert.Equal([new RefusedMember("a", "invalidData", First.AddDays(8)), new RefusedMember("b", "conflict", First)],
            await store.LoadAsync(Sync, CancellationToken.None));
        Assert.Equal([new RefusedMember("a", "forgotten", First)], await store.LoadAsync("p-1/other", CancellationToken.None));
    }

    [Fact]
    public async Task Pages_go_in_ordinal_order_after_the_given_member_with_the_total_and_many_rows_write_in_one_call()
    {
        var store = await CreateStoreAsync();
        var members = Enumerable.Range(0, 450).Select(i => new RefusedMember($"u-{i:D4}", "invalid", First)).Append(new RefusedMember("U-upper", "invalid", First)).ToList();
        await store.PutAsync(Sync, members, CancellationToken.None);

        var (first, total) = await store.PageAsync(Sync, null, 2, CancellationToken.None);
        var (next, _) = await store.PageAsync(Sync, first[^1].Member, 2, CancellationToken.None);

        Assert.Equal(451, total);
        // Ordinal: upper case before lower case on both databases.
        Assert.Equal(["U-upper", "u-0000"], first.Select(m => m.Member));
        Assert.Equal(["u-0001", "u-0002"], next.Select(m => m.Member));
    }

    [Fact]
    public async Task Delete_and_clear_remove_rows_of_one_sync_only()
    {
        var store = await CreateStoreAsync();
        await store.PutAsync(Sync, [new("a", "invalid", First), new("b", "invalid", First), new("c", "invalid", First)], CancellationToken.None);
        await store.PutAsync("p-1/other", [new("a", "invalid", First)], CancellationToken.None);

        await store.DeleteAsync(Sync, ["a", "c", "zz"], CancellationToken.None);
        Assert.Equal(["b"], (await store.LoadAsync(Sync, CancellationToken.None)).Select(m => m.Member));

        await store.ClearAsync(Sync, CancellationToken.None);
        Assert.Empty(await store.LoadAsync(Sync, CancellationToken.None));
        Assert.Single(await store.LoadAsync("p-1/other", CancellationToken.None));
    }
}

public sealed class SqliteRefusedMemberStoreTests : RefusedMemberStoreTests, IDisposable
{
    private readonly TempDirectory _folder = new();
    private int _files;

    protected override StorageBackend Backend => StorageBackend.Sqlite;

    protected override Task<string> CreateEmptyDatabaseAsync() =>
        Task.FromResult(SqliteConnectionStrings.ForFile(_folder.File($"refused-{Interlocked.Increment(ref _files)}.db")));

    protected override IRefusedMemberStore Create(string connectionString) => SqlRefusedMemberStore.Sqlite(connectionString);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

[Collection(PostgresFixture.Collection)]
public sealed class PostgresRefusedMemberStoreTests(PostgresFixture postgres) : RefusedMemberStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;

    protected override Task<string> CreateEmptyDatabaseAsync() => postgres.CreateDatabaseAsync();

    protected override IRefusedMemberStore Create(string connectionString) => SqlRefusedMemberStore.Postgres(connectionString);
}
