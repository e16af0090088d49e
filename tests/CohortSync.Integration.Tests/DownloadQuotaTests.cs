using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>Amplitude allows a project about 500 cohort downloads a month: the engine counts its own and warns before it runs out.</summary>
public abstract class DownloadQuotaTests(StorageUnderTest storage)
{
    [Fact]
    public async Task Every_run_counts_one_download_and_project_show_reports_the_month()
    {
        await using var s = await World.StartAsync(storage);
        s.SetCohort("coh-1", "Counted", World.Users(0, 20));
        var destination = await s.EnableWithDestinationAsync();
        var sync = await s.StartSyncAsync("coh-1", destination, cadence: "2s");
        await s.WaitForRunAsync(sync.SyncId, 3);
        await s.Sync(sync.SyncId).PauseAsync();

        var exports = s.Sandbox.Requests.Since(0).Count(e => e.Method == "GET" && IsExportRequest(e.Path));
        var downloads = (await s.Project.GetAsync()).Downloads!;

        // Paused, nothing runs: what Amplitude was asked for is what was counted, one per run (a cancelled run may not have asked).
        Assert.Equal(exports, downloads.Used);
        Assert.InRange(downloads.Used, 3, int.MaxValue);
        Assert.Equal(DateTimeOffset.UtcNow.ToString("yyyy-MM"), downloads.Month);
        Assert.Equal(500, downloads.Quota);
        Assert.InRange(downloads.Projected, downloads.Used, int.MaxValue);

        // Written behind the count, but written: a restarted silo knows the month's count.
        await s.RestartSiloAsync();
        Assert.Equal(downloads.Used, (await s.Project.GetAsync()).Downloads!.Used);
    }

    [Fact]
    public async Task A_cadence_that_needs_more_downloads_than_the_quota_is_warned_about_at_start_and_in_status()
    {
        await using var s = await World.StartAsync(storage);
        s.SetCohort("coh-1", "Too often", World.Users(0, 5));
        s.SetCohort("coh-2", "Just once", World.Users(0, 5));
        var destination = await s.EnableWithDestinationAsync();

        var often = await s.StartSyncAsync("coh-1", destination, cadence: "2s");
        var once = await s.StartSyncAsync("coh-2", destination, cadence: "once");

        Assert.Contains("cadence 2s needs about 1296000 Amplitude cohort downloads a month, more than the quota of 500", often.Warning);
        Assert.Contains("quota of 500", (await s.Sync(often.SyncId).GetStatusAsync()).Warning);
        // The one-time sync fits on its own; the project, with the 2s sync on its schedule, does not.
        Assert.StartsWith($"project {World.ProjectId} is on course for about", once.Warning);
        await s.WaitForRunAsync(once.SyncId, 1);
        Assert.Null((await s.Sync(once.SyncId).GetStatusAsync()).Warning);
        // A stopped sync makes no more downloads and is not warned about.
        Assert.Null((await s.Sync(often.SyncId).StopAsync()).Warning);
    }

    [Fact]
    public async Task A_project_on_course_to_pass_its_quota_is_warned_about_when_another_sync_starts()
    {
        // A quota of one download: the first run uses it, so any further sync would pass it.
        await using var s = await World.StartAsync(storage, "--CohortSync:Engine:AmplitudeMonthlyDownloadQuota=1");
        s.SetCohort("coh-1", "First", World.Users(0, 5));
        s.SetCohort("coh-2", "Second", World.Users(0, 5));
        var destination = await s.EnableWithDestinationAsync();
        var first = await s.StartSyncAsync("coh-1", destination, cadence: "once");
        Assert.Null(first.Warning);
        await s.WaitForRunAsync(first.SyncId, 1);

        var second = await s.StartSyncAsync("coh-2", destination, cadence: "once");
        // The projection counts downloads made and those the schedule will make: the second one-time sync's is made at its run.
        await s.WaitForRunAsync(second.SyncId, 1);
        var project = await s.Project.GetAsync();

        Assert.Contains($"project {World.ProjectId} is on course for about", second.Warning);
        Assert.Contains("more than the quota of 1", second.Warning);
        Assert.Equal(1, project.Downloads!.Quota);
        Assert.True(project.Downloads.Used >= 1, $"{project.Downloads.Used} downloads counted");
        Assert.Contains("more than the quota of 1", project.Downloads.Warning);
    }

    [Fact]
    public async Task Fifty_realtime_syncs_reconcile_on_a_schedule_that_fits_the_quota_and_stopping_some_shortens_it()
    {
        await using var s = await World.StartAsync(storage, "--CohortSync:Engine:AmplitudeDownloadsPerWindow=0");
        var destination = await s.EnableWithDestinationAsync();
        var syncs = new List<SyncInfo>();
        for (var i = 0; i < 50; i++)
        {
            s.SetCohort($"rt-{i:D2}", $"Realtime {i}", World.Users(i, 2));
            syncs.Add(await s.Project.StartSyncAsync(new StartSyncRequest($"rt-{i:D2}", destination, Cadence.Realtime)));
        }

        // 50 × every 4 days = 400 downloads a month: 80 % of 500, where 50 daily syncs would need 1,500.
        Assert.All(syncs, sync => Assert.Null(sync.Warning));
        Assert.Equal("every 4 days (auto)", syncs[^1].Reconcile);
        await WaitForReconcileAsync(s, syncs, "every 4 days (auto)");
        var project = (await s.Project.GetAsync()).Downloads!;
        Assert.Null(project.Warning);
        Assert.InRange(project.Projected, 50, 450);

        foreach (var sync in syncs.Take(10)) await s.Sync(sync.SyncId).StopAsync();

        // 40 left: every 3 days is 400 again.
        await WaitForReconcileAsync(s, syncs.Skip(10), "every 3 days (auto)");
        var pinned = await s.Project.StartSyncAsync(new StartSyncRequest("rt-00", destination, Cadence.Realtime) { ReconcileEvery = TimeSpan.FromDays(1) });
        Assert.Equal("daily", pinned.Reconcile);
        // Its 30 a month leave 370 for the 40 on auto: every 4 days.
        await WaitForReconcileAsync(s, syncs.Skip(10), "every 4 days (auto)");
    }

    private static Task WaitForReconcileAsync(World s, IEnumerable<SyncInfo> syncs, string reconcile) =>
        Wait.UntilAsync(async () =>
        {
            foreach (var sync in syncs)
                if ((await s.StatusAsync(sync.SyncId)).Reconcile != reconcile) return false;
            return true;
        }, $"every realtime sync to reconcile {reconcile}");

    [Fact]
    public async Task Amplitude_refusing_for_the_monthly_quota_costs_one_request_says_so_plainly_and_holds_every_download_until_reset()
    {
        await using var s = await World.StartAsync(storage);
        s.SetCohort("coh-1", "Quota", World.Users(0, 20));
        s.SetCohort("coh-2", "Other", World.Users(0, 5));
        var destination = await s.EnableWithDestinationAsync();
        var first = await s.StartSyncAsync("coh-1", destination, cadence: "daily");
        Assert.Equal(RunOutcome.Succeeded, (await s.WaitForRunAsync(first.SyncId, 1)).Outcome);
        // Amplitude says the month's quota is used up from the next download request on.
        s.Sandbox.Amplitude.PutProject(World.AmplitudeKey, World.AmplitudeSecret, new Sandbox.Amplitude.AmplitudeProjectSettings { MonthlyDownloadQuota = 1 });
        var mark = s.LastRequestSequence;

        var refused = await s.RunAndWaitAsync(first.SyncId);
        var second = await s.StartSyncAsync("coh-2", destination, cadence: "daily");
        var held = await s.WaitForRunAsync(second.SyncId, 1);
        var project = await s.Project.GetAsync();

        var nextMonth = new DateTimeOffset(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        var reason = $"Amplitude's monthly download quota is used up; runs resume on {nextMonth:yyyy-MM-dd} or when the quota is raised ('cohortsync project quota reset')";
        Assert.Equal((RunOutcome.Failed, reason), (refused.Outcome, refused.Reason));
        Assert.Equal((RunOutcome.Failed, reason), (held.Outcome, held.Reason));
        // One request refused, not retried; the second sync did not ask at all.
        Assert.Single(s.Sandbox.Requests.Since(mark), e => e.Method == "GET" && IsExportRequest(e.Path));
        Assert.Equal(nextMonth, project.Downloads!.ExhaustedUntil);
        Assert.Equal(SyncState.Failed, (await s.StatusAsync(first.SyncId)).State);

        // The operator raised the quota: a reset lets the next run download again.
        s.Sandbox.Amplitude.PutProject(World.AmplitudeKey, World.AmplitudeSecret, new Sandbox.Amplitude.AmplitudeProjectSettings());
        Assert.Null((await s.Project.ResetQuotaAsync()).Downloads!.ExhaustedUntil);
        Assert.Equal(RunOutcome.Succeeded, (await s.RunAndWaitAsync(second.SyncId)).Outcome);
    }

    /// <summary><c>/api/5/cohorts/request/{cohortId}</c>: the request that counts toward Amplitude's quota (not its status or file).</summary>
    private static bool IsExportRequest(string path) =>
        path.StartsWith("/api/5/cohorts/request/", StringComparison.Ordinal) && path.Count(c => c == '/') == 5;
}

[Collection(nameof(SiloCollection))]
public sealed class DownloadQuotaTestsOnSqlite() : DownloadQuotaTests(StorageUnderTest.Sqlite);

[Collection(nameof(SiloCollection))]
public sealed class DownloadQuotaTestsOnPostgres(PostgresFixture postgres) : DownloadQuotaTests(StorageUnderTest.Postgres(postgres));
