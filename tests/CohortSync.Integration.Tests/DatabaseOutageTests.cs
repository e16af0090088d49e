using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;
using Npgsql;

namespace CohortSync.Integration.Tests;

/// <summary>Its own PostgreSQL server: these tests stop it, so nothing else may be using it.</summary>
[CollectionDefinition(nameof(DatabaseOutageCollection))]
public sealed class DatabaseOutageCollection : ICollectionFixture<PostgresFixture>;

/// <summary>
/// PostgreSQL goes away for longer than a run's cluster-retry window while the run is in a given phase. The run ends
/// failed-retryable for the cluster, with a plain reason, and the guard reminder resumes it within its period: the
/// cadence is hourly, so nothing else could.
/// </summary>
[Collection(nameof(DatabaseOutageCollection))]
public sealed class DatabaseOutageTests(PostgresFixture postgres)
{
    private const string CohortId = "coh-1";
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);
    private static readonly IReadOnlyList<string> Cohort = World.Users(0, 3000);

    [Theory]
    [InlineData(RunPhase.PreparingList)]
    [InlineData(RunPhase.Pushing)]
    public async Task PostgreSQL_lost_beyond_the_retry_window_is_resumed_by_the_guard_whatever_the_cadence(RunPhase phase)
    {
        await using var w = await StartWorldAsync();
        var destination = await w.EnableWithDestinationAsync();
        // Slow Iterable: the run stays in the phase long enough to lose the database in it.
        w.Iterable.Faults = new IterableFaults { LatencyMs = phase == RunPhase.PreparingList ? 3000 : 200 };

        var syncId = await w.StartSyncIdAsync(CohortId, destination, "hourly");
        await Wait.UntilAsync(async () => (await w.Sync(syncId).GetStatusAsync()).ActiveRun?.Phase == phase, $"the first run to be {phase}");
        await LoseTheDatabaseAsync();
        w.Iterable.Faults = IterableFaults.None;

        await AssertResumedByTheGuardAsync(w, syncId);
    }

    [Fact]
    public async Task PostgreSQL_lost_while_the_run_records_is_resumed_by_the_guard_whatever_the_cadence()
    {
        await using var w = await StartWorldAsync();
        var destination = await w.EnableWithDestinationAsync();

        // Recording lasts milliseconds. A lock on the chunk table lets the run read its synced set but stops its
        // compaction's first write, so the run waits in Recording until the database goes away under it.
        string syncId;
        await using (var holder = await SnapshotWriteBlocker.HoldAsync(w.ConnectionString))
        {
            syncId = await w.StartSyncIdAsync(CohortId, destination, "hourly");
            await Wait.UntilAsync("the first run to be Recording and waiting for the chunk table", Wait.DefaultTimeout, async () =>
            {
                var phase = (await w.Sync(syncId).GetStatusAsync()).ActiveRun?.Phase;
                var waiting = await holder.WaitersAsync();
                return (phase == RunPhase.Recording && waiting > 0, $"phase {phase?.ToString() ?? "none"}, {waiting} waiting for the lock");
            });
            await LoseTheDatabaseAsync();
        }

        await AssertResumedByTheGuardAsync(w, syncId);
    }

    private async Task<World> StartWorldAsync()
    {
        var w = await World.StartAsync(StorageUnderTest.Postgres(postgres),
            "--CohortSync:Engine:ClusterRetryWindow=00:00:02", "--CohortSync:Engine:GuardPeriod=00:00:05",
            "--CohortSync:Engine:BatchSize=100", "--CohortSync:Engine:RequestsInFlight=1");
        w.SetCohort(CohortId, "Outage", Cohort);
        return w;
    }

    /// <summary>Stops PostgreSQL for longer than the run's retry window, then starts it again.</summary>
    private async Task LoseTheDatabaseAsync()
    {
        await postgres.Server.StopAsync();
        try
        {
            await Task.Delay(Outage);
        }
        finally
        {
            await postgres.Server.StartAsync();
        }
    }

    private static async Task AssertResumedByTheGuardAsync(World w, string syncId)
    {
        var resumed = await Wait.ForAsync(async () =>
        {
            var status = await Retry.CallAsync(() => w.Sync(syncId).GetStatusAsync());
            return status.ActiveRun is null && status.LastRun is { Outcome: RunOutcome.Succeeded, Trigger: "resume" } ? status : null;
        }, "the guard to resume the run and finish it", TimeSpan.FromMinutes(2));

        var history = await w.HistoryAsync(syncId);
        // The first run met the outage; a guard tick while the database was still away may have begun a run it could
        // not record, which the next one finds interrupted. Either way nothing waited for the hourly slot.
        var first = history[^1];
        Assert.Equal(("first", RunOutcome.FailedRetryable), (first.Trigger, first.Outcome));
        Assert.Matches("^(the database is unreachable|a silo of the cluster stopped answering).*resumes by itself", first.Reason);
        Assert.All(history.Take(history.Count - 1), r => Assert.Equal("resume", r.Trigger));
        Assert.All(history, r => Assert.True(r.Reason is null || (r.Reason.Length <= 200 && !r.Reason.Contains(" at ", StringComparison.Ordinal)), r.Reason));
        Assert.Equal(Cohort, w.ListMembers(resumed.ListId!.Value));
        Assert.Equal(Cohort.Count, resumed.SyncedCount);
        Assert.Equal(SyncState.Scheduled, resumed.State);
    }

    /// <summary>A connection of the test's own holding an EXCLUSIVE lock on the chunk table: reads pass, writes wait.</summary>
    private sealed class SnapshotWriteBlocker : IAsyncDisposable
    {
        private const string Table = "cohortsync_snapshot_chunk";
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _transaction;

        private SnapshotWriteBlocker(NpgsqlConnection connection, NpgsqlTransaction transaction) =>
            (_connection, _transaction) = (connection, transaction);

        public static async Task<SnapshotWriteBlocker> HoldAsync(string connectionString)
        {
            Assert.False(string.IsNullOrEmpty(connectionString), "the world has no PostgreSQL connection string");
            // Its own pool (application name), so the silo's connections are never this one.
            var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "outage-test-lock" }.ConnectionString);
            await connection.OpenAsync();
            var transaction = await connection.BeginTransactionAsync();
            await using (var command = new NpgsqlCommand($"LOCK TABLE {Table} IN EXCLUSIVE MODE", connection, transaction))
                await command.ExecuteNonQueryAsync();
            return new SnapshotWriteBlocker(connection, transaction);
        }

        /// <summary>Sessions of this database waiting for a lock on the chunk table.</summary>
        public async Task<long> WaitersAsync()
        {
            await using var command = new NpgsqlCommand($"""
                SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND c.relname = '{Table}' AND NOT l.granted
                """, _connection, _transaction);
            return (long)(await command.ExecuteScalarAsync())!;
        }

        public async ValueTask DisposeAsync()
        {
            // The server was stopped under it: the session and its lock are gone already.
            try { await _transaction.DisposeAsync(); }
            catch (NpgsqlException) { }
            await _connection.DisposeAsync();
        }
    }
}
