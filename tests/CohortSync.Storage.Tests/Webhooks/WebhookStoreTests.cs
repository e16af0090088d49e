using CohortSync.Storage.Migrations;
using CohortSync.Storage.Webhooks;
using CohortSync.Testing;
using Microsoft.Data.Sqlite;

namespace CohortSync.Storage.Tests.Webhooks;

public abstract class WebhookStoreTests
{
    private const string Project = "p-1";
    private const string Cohort = "c-1";
    private static readonly DateTimeOffset Received = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    protected abstract StorageBackend Backend { get; }

    protected abstract Task<string> CreateEmptyDatabaseAsync();

    protected abstract IWebhookStore Create(string connectionString);

    private async Task<IWebhookStore> CreateStoreAsync()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await new DatabaseMigrator().MigrateAsync(Backend, connectionString, CancellationToken.None);
        return Create(connectionString);
    }

    private static WebhookBatch Batch(string messageId, bool inCohort, long computedTime, params string[] users) =>
        new(Project, messageId, Cohort, "Power users", inCohort, computedTime, Received,
            users.Select(u => new WebhookMember(u, $$"""{"email":"{{u}}@example.com"}""")).ToList());

    private static async Task<Dictionary<string, bool>> StatesAsync(IWebhookStore store)
    {
        var page = await store.ReadChangesAsync(Project, Cohort, 0, 1000, CancellationToken.None);
        return page.Changes.ToDictionary(c => c.UserId, c => c.InCohort);
    }

    [Fact]
    public async Task A_repeated_message_id_changes_nothing()
    {
        var store = await CreateStoreAsync();

        var first = await store.StoreBatchAsync(Batch("m-1::enter::0", true, 1_000, "a", "b"), CancellationToken.None);
        var before = await store.ReadChangesAsync(Project, Cohort, 0, 100, CancellationToken.None);
        // Same message_id, different content: still the batch seen before.
        var again = await store.StoreBatchAsync(Batch("m-1::enter::0", false, 9_000, "a", "b", "c"), CancellationToken.None);
        var after = await store.ReadChangesAsync(Project, Cohort, 0, 100, CancellationToken.None);

        Assert.Equal(new WebhookStoreResult(false, 2, 0), first);
        Assert.Equal(new WebhookStoreResult(true, 0, 0), again);
        Assert.Equal(before.MaxSeq, after.MaxSeq);
        Assert.Equal(before.Changes, after.Changes);
    }

    [Fact]
    public async Task An_exit_that_overtakes_its_enter_is_not_undone_by_the_late_enter()
    {
        var store = await CreateStoreAsync();

        await store.StoreBatchAsync(Batch("m-1::enter::0", true, 1_000, "a", "b"), CancellationToken.None);
        await store.StoreBatchAsync(Batch("m-3::exit::0", false, 3_000, "a"), CancellationToken.None);
        var late = await store.StoreBatchAsync(Batch("m-2::enter::0", true, 2_000, "a", "c"), CancellationToken.None);

        Assert.Equal(new WebhookStoreResult(false, 1, 1), late);
        Assert.Equal(new Dictionary<string, bool> { ["a"] = false, ["b"] = true, ["c"] = true }, await StatesAsync(store));
    }

    [Fact]
    public async Task A_change_at_the_same_computed_time_keeps_the_first()
    {
        var store = await CreateStoreAsync();

        await store.StoreBatchAsync(Batch("m-1::exit::0", false, 5_000, "a"), CancellationToken.None);
        var same = await store.StoreBatchAsync(Batch("m-1::enter::0", true, 5_000, "a"), CancellationToken.None);

        Assert.Equal(new WebhookStoreResult(false, 0, 1), same);
        Assert.Equal(new Dictionary<string, bool> { ["a"] = false }, await StatesAsync(store));
    }

    [Fact]
    public async Task A_batch_that_fails_half_way_leaves_nothing()
    {
        var store = await CreateStoreAsync();
        await store.StoreBatchAsync(Batch("m-1::enter::0", true, 1_000, "a"), CancellationToken.None);

        // The second member breaks the table's user_id rule after the first was written.
        var broken = Batch("m-2::exit::0", false, 2_000, "a", new string('x', SqlWebhookStore.MaxUserIdLength + 1));
        await Assert.ThrowsAnyAsync<Exception>(() => store.StoreBatchAsync(broken, CancellationToken.None));

        Assert.Equal(new Dictionary<string, bool> { ["a"] = true }, await StatesAsync(store));
        // Not recorded as seen either: Amplitude's retry of the (fixed) batch is stored.
        var retried = await store.StoreBatchAsync(Batch("m-2::exit::0", false, 2_000, "a"), CancellationToken.None);
        Assert.Equal(new WebhookStoreResult(false, 1, 0), retried);
    }

    [Fact]
    public async Task Changes_read_in_seq_order_page_by_page()
    {
        var store = await CreateStoreAsync();
        await store.StoreBatchAsync(Batch("m-1::enter::0", true, 1_000, "a", "b", "c"), CancellationToken.None);
        await store.StoreBatchAsync(Batch("m-2::exit::0", false, 2_000, "a"), CancellationToken.None);
        await store.StoreBatchAsync(Batch("m-3::enter::0", true, 2_000, "d"), CancellationToken.None);

        var seen = new List<WebhookMemberChange>();
        long after = 0, max;
        do
        {
            var page = await store.ReadChangesAsync(Project, Cohort, after, 2, CancellationToken.None);
            Assert.True(page.Changes.Count <= 2);
            seen.AddRange(page.Changes);
            max = page.MaxSeq;
            if (page.Changes.Count > 0) after = page.Changes[^1].Seq;
            else break;
        }
        while (after < max);

        // "a" changed last by the exit, so it comes after b and c; each member once, with its latest state.
        Assert.Equal(["b", "c", "a", "d"], seen.Select(c => c.UserId));
        Assert.Equal([true, true, false, true], seen.Select(c => c.InCohort));
        Assert.Equal("""{"email":"a@example.com"}""", seen[2].UserProperties);
        Assert.True(seen.Select(c => c.Seq).SequenceEqual(seen.Select(c => c.Seq).Order()));
        Assert.Equal(seen[^1].Seq, max);
        Assert.Empty((await store.ReadChangesAsync(Project, Cohort, max, 10, CancellationToken.None)).Changes);
        Assert.Equal(0, (await store.ReadChangesAsync(Project, "other-cohort", 0, 10, CancellationToken.None)).MaxSeq);
    }

    [Fact]
    public async Task Concurrent_batches_of_one_cohort_give_every_change_its_own_seq()
    {
        var store = await CreateStoreAsync();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            store.StoreBatchAsync(Batch($"m-{i}::enter::0", true, 1_000, $"u{i}-1", $"u{i}-2", $"u{i}-3"), CancellationToken.None)));

        var page = await store.ReadChangesAsync(Project, Cohort, 0, 1000, CancellationToken.None);
        Assert.Equal(24, page.Changes.Count);
        Assert.Equal(24, page.Changes.Select(c => c.Seq).Distinct().Count());
        Assert.Equal(page.Changes.Max(c => c.Seq), page.MaxSeq);
    }
}

public sealed class SqliteWebhookStoreTests : WebhookStoreTests, IDisposable
{
    private readonly TempDirectory _folder = new();
    private int _files;

    protected override StorageBackend Backend => StorageBackend.Sqlite;

    protected override Task<string> CreateEmptyDatabaseAsync() =>
        Task.FromResult(SqliteConnectionStrings.ForFile(_folder.File($"webhooks-{Interlocked.Increment(ref _files)}.db")));

    protected override IWebhookStore Create(string connectionString) => new SqliteWebhookStore(connectionString);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

[Collection(PostgresFixture.Collection)]
public sealed class PostgresWebhookStoreTests(PostgresFixture postgres) : WebhookStoreTests
{
    protected override StorageBackend Backend => StorageBackend.Postgres;

    protected override Task<string> CreateEmptyDatabaseAsync() => postgres.CreateDatabaseAsync();

    protected override IWebhookStore Create(string connectionString) => new PostgresWebhookStore(connectionString);
}
