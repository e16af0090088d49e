using CohortSync.Storage.Migrations;
using CohortSync.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace CohortSync.Storage.Tests.Orleans;

/// <summary>
/// Real Orleans on a database prepared by our migrations: the ADO.NET grain storage, reminder service
/// (and on PostgreSQL the clustering provider) run on our tables and our OrleansQuery rows.
/// </summary>
public abstract class OrleansOnDatabaseTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    protected abstract StorageBackend Backend { get; }

    /// <summary>An empty database for one test.</summary>
    protected abstract Task<string> CreateEmptyDatabaseAsync();

    private async Task<string> CreateMigratedDatabaseAsync()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await new DatabaseMigrator().MigrateAsync(Backend, connectionString, CancellationToken.None);
        return connectionString;
    }

    [Fact]
    public async Task Grain_state_and_reminder_survive_a_silo_restart()
    {
        var connectionString = await CreateMigratedDatabaseAsync();
        var serviceId = $"restart-{Guid.NewGuid():N}";
        var grainKey = $"{Backend}-{Guid.NewGuid():N}";
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));

        await using (var silo = await TestSilo.StartAsync(Backend, connectionString, serviceId, timeout.Token))
        {
            var probe = silo.Grains.GetGrain<IProbeGrain>(grainKey);
            for (var i = 0; i < 3; i++) await probe.IncrementAsync();
            var firstTick = ReminderTicks.NextAsync(grainKey);
            await probe.StartReminderAsync(TimeSpan.FromSeconds(2));
            await firstTick.WaitAsync(Generous, timeout.Token);
        }

        // Nothing registers the reminder again: the tick below must come from the reminder table.
        var tickAfterRestart = ReminderTicks.NextAsync(grainKey);
        await using (var silo = await TestSilo.StartAsync(Backend, connectionString, serviceId, timeout.Token))
        {
            await tickAfterRestart.WaitAsync(Generous, timeout.Token);
            var probe = silo.Grains.GetGrain<IProbeGrain>(grainKey);
            Assert.Equal(3, await probe.GetCounterAsync());
            await probe.IncrementAsync();
            await probe.StopReminderAsync();
        }

        await using (var silo = await TestSilo.StartAsync(Backend, connectionString, serviceId, timeout.Token))
        {
            Assert.Equal(4, await silo.Grains.GetGrain<IProbeGrain>(grainKey).GetCounterAsync());
        }
    }

    [Fact]
    public async Task Stale_etag_write_is_rejected()
    {
        var connectionString = await CreateMigratedDatabaseAsync();
        await using var silo = await TestSilo.StartAsync(Backend, connectionString, $"etag-{Guid.NewGuid():N}", CancellationToken.None);
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(TestSilo.StorageName);
        var grainId = GrainId.Create("probe", $"etag-{Guid.NewGuid():N}");
        const string stateName = "probe";

        var writer = new GrainState<ProbeState>(new ProbeState { Counter = 1 });
        await storage.WriteStateAsync(stateName, grainId, writer);
        var stale = new GrainState<ProbeState>(new ProbeState());
        await storage.ReadStateAsync(stateName, grainId, stale);
        Assert.Equal(writer.ETag, stale.ETag);

        writer.State!.Counter = 2;
        await storage.WriteStateAsync(stateName, grainId, writer);
        Assert.NotEqual(stale.ETag, writer.ETag);

        stale.State!.Counter = 99;
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(stateName, grainId, stale));
        // A writer that never read (no ETag) must not overwrite an existing record either.
        var blind = new GrainState<ProbeState>(new ProbeState { Counter = 7 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(stateName, grainId, blind));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(stateName, grainId, stale));

        var current = new GrainState<ProbeState>(new ProbeState());
        await storage.ReadStateAsync(stateName, grainId, current);
        Assert.True(current.RecordExists);
        Assert.Equal(2, current.State!.Counter);
        Assert.Equal(writer.ETag, current.ETag);

        await storage.ClearStateAsync(stateName, grainId, current);
        var afterClear = new GrainState<ProbeState>(new ProbeState());
        await storage.ReadStateAsync(stateName, grainId, afterClear);
        Assert.False(afterClear.RecordExists);
        Assert.Equal(0, afterClear.State!.Counter);
        Assert.Equal(current.ETag, afterClear.ETag);

        // The same key with a key extension is a different record.
        var extended = GrainId.Create("probe", $"{grainId.Key}+ext");
        var other = new GrainState<ProbeState>(new ProbeState { Counter = 5 });
        await storage.WriteStateAsync(stateName, extended, other);
        var check = new GrainState<ProbeState>(new ProbeState());
        await storage.ReadStateAsync(stateName, extended, check);
        Assert.Equal(5, check.State!.Counter);
    }
}

public sealed class OrleansOnSqliteTests : OrleansOnDatabaseTests, IDisposable
{
    private readonly TempDirectory _folder = new();
    private int _files;

    protected override StorageBackend Backend => StorageBackend.Sqlite;

    protected override Task<string> CreateEmptyDatabaseAsync() =>
        Task.FromResult(SqliteConnectionStrings.ForFile(_folder.File($"cohortsync-{Interlocked.Increment(ref _files)}.db")));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}

[Collection(PostgresFixture.Collection)]
public sealed class OrleansOnPostgresTests(PostgresFixture postgres) : OrleansOnDatabaseTests
{
    private const int Active = 3;
    private const int Dead = 6;

    protected override StorageBackend Backend => StorageBackend.Postgres;

    protected override Task<string> CreateEmptyDatabaseAsync() => postgres.CreateDatabaseAsync();

    [Fact]
    public async Task Two_silos_form_one_cluster_through_the_membership_table()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await new DatabaseMigrator().MigrateAsync(Backend, connectionString, CancellationToken.None);
        var clusterId = $"cluster-{Guid.NewGuid():N}";
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        await using var first = await TestSilo.StartAsync(Backend, connectionString, clusterId, timeout.Token);
        await using (var second = await TestSilo.StartAsync(Backend, connectionString, clusterId, timeout.Token))
        {
            Assert.Equal([Active, Active], await StatusesAsync(connectionString, clusterId));

            // State written through one silo is what the other silo reads: one cluster, one store.
            var key = $"cluster-{Guid.NewGuid():N}";
            await first.Grains.GetGrain<IProbeGrain>(key).IncrementAsync();
            await second.Grains.GetGrain<IProbeGrain>(key).IncrementAsync();
            Assert.Equal(2, await first.Grains.GetGrain<IProbeGrain>(key).GetCounterAsync());

            await second.StopAsync(timeout.Token);
        }

        Assert.Equal([Active, Dead], await StatusesAsync(connectionString, clusterId));
    }

    /// <summary>Silo statuses of one cluster in the order the silos started.</summary>
    private static async Task<List<int>> StatusesAsync(string connectionString, string clusterId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status FROM orleans_membership WHERE deployment_id = @id ORDER BY start_time, generation";
        command.Parameters.AddWithValue("id", clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var statuses = new List<int>();
        while (await reader.ReadAsync()) statuses.Add(reader.GetInt32(0));
        return statuses;
    }
}
