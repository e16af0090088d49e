using System.Text;
using CohortSync.Contracts;
using CohortSync.Grains.Syncs;
using CohortSync.Storage.Migrations;
using CohortSync.Storage.Tests.Orleans;
using CohortSync.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace CohortSync.Storage.Tests.Upgrade;

/// <summary>
/// A sync stored before the cadence was a type, read through the real ADO.NET storage provider from a real SQLite
/// database. The fixture is the payload the previous version (commit 284bdf8) wrote for an hourly sync after one
/// run: Orleans' JSON grain-state serializer, the cadence a string under "Cadence".
/// </summary>
public sealed class CohortSyncStateUpgradeTests : IDisposable
{
    private const string StateName = "sync";
    private static readonly GrainId SyncGrain = GrainId.Create("cohortsync", "acme/s-7f3a");
    private readonly TempDirectory _folder = new();

    private static string StoredBeforeCadenceType(string cadence) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Upgrade", "cohort-sync-state-before-cadence-type.json"))
            .Replace("\"Cadence\":\"hourly\"", $"\"Cadence\":\"{cadence}\"", StringComparison.Ordinal);

    [Theory]
    [InlineData("hourly")]
    [InlineData("daily")]
    [InlineData("once")]
    [InlineData("15m")]
    [InlineData("30s")]
    public async Task A_sync_stored_by_the_previous_version_keeps_its_cadence_and_everything_else(string stored)
    {
        var connectionString = SqliteConnectionStrings.ForFile(_folder.File("upgrade.db"));
        await new DatabaseMigrator().MigrateAsync(StorageBackend.Sqlite, connectionString, CancellationToken.None);
        await using var silo = await TestSilo.StartAsync(StorageBackend.Sqlite, connectionString, "upgrade", CancellationToken.None);
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(TestSilo.StorageName);
        // The provider makes the row (its keys are the provider's hashes); the payload becomes the old version's bytes.
        await storage.WriteStateAsync(StateName, SyncGrain, new GrainState<CohortSyncState>(new CohortSyncState()));
        await SetPayloadAsync(connectionString, StoredBeforeCadenceType(stored));

        var read = new GrainState<CohortSyncState>(new CohortSyncState());
        await storage.ReadStateAsync(StateName, SyncGrain, read);

        var sync = read.State!;
        Assert.Equal(Cadence.Parse(stored), sync.Cadence);
        Assert.Equal(stored, sync.ToInfo(null, null).Cadence);
        Assert.Equal(("acme", "s-7f3a", "1a2b3c", "d-eu", SyncState.Scheduled), (sync.ProjectId, sync.SyncId, sync.CohortId, sync.DestinationId, sync.State));
        Assert.Equal((4242L, "[Amplitude] Power users", 1000L, 1L), (sync.ListId, sync.ListName, sync.SyncedCount, sync.RunCounter));
        var run = Assert.Single(sync.History);
        Assert.Equal((RunOutcome.Succeeded, 1000L), (run.Outcome, run.Counts.Added));
    }

    [Fact]
    public async Task A_sync_written_again_keeps_the_stored_form_the_previous_version_reads()
    {
        var connectionString = SqliteConnectionStrings.ForFile(_folder.File("rewrite.db"));
        await new DatabaseMigrator().MigrateAsync(StorageBackend.Sqlite, connectionString, CancellationToken.None);
        await using var silo = await TestSilo.StartAsync(StorageBackend.Sqlite, connectionString, "rewrite", CancellationToken.None);
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(TestSilo.StorageName);
        await storage.WriteStateAsync(StateName, SyncGrain, new GrainState<CohortSyncState>(new CohortSyncState()));
        await SetPayloadAsync(connectionString, StoredBeforeCadenceType("15m"));
        var read = new GrainState<CohortSyncState>(new CohortSyncState());
        await storage.ReadStateAsync(StateName, SyncGrain, read);

        await storage.WriteStateAsync(StateName, SyncGrain, read);

        // Same property, same text: a silo of the previous version (a rolling upgrade, or a rollback) reads it as before.
        var payload = await PayloadAsync(connectionString);
        Assert.Contains("\"Cadence\":\"15m\"", payload);
        var again = new GrainState<CohortSyncState>(new CohortSyncState());
        await storage.ReadStateAsync(StateName, SyncGrain, again);
        Assert.Equal(Cadence.Parse("15m"), again.State!.Cadence);
    }

    private static async Task SetPayloadAsync(string connectionString, string json)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE orleans_grain_state SET payload = @payload WHERE state_name = @state";
        command.Parameters.AddWithValue("payload", Encoding.UTF8.GetBytes(json));
        command.Parameters.AddWithValue("state", StateName);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private static async Task<string> PayloadAsync(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM orleans_grain_state WHERE state_name = @state";
        command.Parameters.AddWithValue("state", StateName);
        return Encoding.UTF8.GetString((byte[])(await command.ExecuteScalarAsync())!);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
