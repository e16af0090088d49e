using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>Bad input ends a run with a clear recorded reason and leaves Iterable and the synced set untouched.</summary>
public abstract class BadInputTests(StorageUnderTest storage)
{
    [Fact]
    public async Task Wrong_iterable_key_fails_the_run_marks_the_destination_unhealthy_and_pauses_the_sync()
    {
        await using var s = await World.StartAsync(storage);
        s.SetCohort("coh-1", "Key test", World.Users(0, 10));
        // Adding checks the key, so the key is good when added and revoked before the first run.
        s.Iterable.AddApiKey("not-a-registered-key", s.IterableProjectId);
        var destination = await s.EnableWithDestinationAsync(iterableKey: "not-a-registered-key");
        s.Iterable.RevokeApiKey("not-a-registered-key");

        var sync = await s.StartSyncAsync("coh-1", destination);
        var run = await s.WaitForRunAsync(sync.SyncId, 1);

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Contains("API key", run.Reason);
        Assert.DoesNotContain("not-a-registered-key", run.Reason);
        var status = await s.Sync(sync.SyncId).GetStatusAsync();
        Assert.Equal(SyncState.Paused, status.State);
        Assert.Contains("API key", status.StateReason);
        var info = await s.Project.GetDestinationAsync(destination);
        Assert.Equal(DestinationHealth.Unhealthy, info.Health);
        Assert.Empty(s.IterableWritesSince(0));
    }

    [Fact]
    public async Task Unknown_cohort_is_refused_when_the_sync_is_started()
    {
        await using var s = await World.StartAsync(storage);
        var destination = await s.EnableWithDestinationAsync();

        var error = await Assert.ThrowsAsync<CohortSyncException>(() => s.StartSyncAsync("no-such-cohort", destination));

        Assert.Equal(ErrorCodes.UnknownCohort, error.Code);
        Assert.Contains("no-such-cohort", error.Message);
        Assert.Empty(await s.Project.ListSyncsAsync());
    }

    [Fact]
    public async Task Cohort_deleted_after_the_sync_started_fails_the_run_with_the_reason_and_writes_nothing()
    {
        await using var s = await World.StartAsync(storage);
        s.SetCohort("coh-1", "Short-lived", World.Users(0, 10));
        var destination = await s.EnableWithDestinationAsync();
        var sync = await s.StartSyncAsync("coh-1", destination);
        await s.WaitForRunAsync(sync.SyncId, 1);
        s.Sandbox.Amplitude.DeleteCohort(World.AmplitudeKey, "coh-1");
        var mark = s.LastRequestSequence;

        var run = await s.RunAndWaitAsync(sync.SyncId);

        Assert.Equal(RunOutcome.Failed, run.Outcome);
        Assert.Contains("coh-1", run.Reason);
        Assert.Contains("does not exist", run.Reason);
        Assert.Empty(s.IterableWritesSince(mark));
        Assert.Equal(10, (await s.Sync(sync.SyncId).GetStatusAsync()).SyncedCount);
    }

    [Theory]
    [InlineData("wrong identifier column")]
    [InlineData("unterminated quote after 2500 good rows")]
    public async Task Malformed_cohort_file_fails_the_run_without_touching_iterable_or_the_synced_set(string defect)
    {
        var csv = MalformedFile(defect);
        await using var s = await World.StartAsync(storage);
        var cohort = World.Users(0, 100);
        s.SetCohort("coh-1", "Fragile", cohort);
        var destination = await s.EnableWithDestinationAsync();
        var sync = await s.StartSyncAsync("coh-1", destination);
        await s.WaitForRunAsync(sync.SyncId, 1);
        s.Sandbox.Amplitude.PutRaw(World.AmplitudeKey, "coh-1", "Fragile", csv);
        var mark = s.LastRequestSequence;

        var broken = await s.RunAndWaitAsync(sync.SyncId);

        Assert.Equal(RunOutcome.Failed, broken.Outcome);
        Assert.Contains("cohort file could not be read", broken.Reason);
        Assert.Empty(s.IterableWritesSince(mark));

        // The synced set survived: once the file is good again, only the real difference is sent.
        s.SetCohort("coh-1", "Fragile", cohort.Skip(1));
        var healed = await s.RunAndWaitAsync(sync.SyncId);
        Assert.Equal(RunOutcome.Succeeded, healed.Outcome);
        var writes = s.IterableWritesSince(mark);
        var unsubscribe = Assert.Single(writes);
        Assert.Equal([cohort[0]], unsubscribe.UserIds);
    }

    private static string MalformedFile(string defect) => defect switch
    {
        "wrong identifier column" => "\"amplitude_id\",\"not_the_user_id\"\n\"1\",\"a\"\n",
        // More than two batches (1000 a request) of good rows, all new to the list, before the broken one:
        // a run that pushed while still reading the file would have written some of them.
        "unterminated quote after 2500 good rows" => string.Concat(
            "\"amplitude_id\",\"user_id\"\n",
            string.Concat(World.Users(100, 2500).Select((id, i) => $"\"{2_000_000 + i}\",\"{id}\"\n")),
            "\"1\",\"unterminated\n"),
        _ => throw new ArgumentOutOfRangeException(nameof(defect), defect, "no such malformed file"),
    };
}

[Collection(nameof(SiloCollection))]
public sealed class BadInputTestsOnSqlite() : BadInputTests(StorageUnderTest.Sqlite);

[Collection(nameof(SiloCollection))]
public sealed class BadInputTestsOnPostgres(PostgresFixture postgres) : BadInputTests(StorageUnderTest.Postgres(postgres));
