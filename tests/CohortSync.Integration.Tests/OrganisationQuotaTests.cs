using CohortSync.Contracts;
using CohortSync.Core.Scheduling;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>
/// Amplitude counts its download quota per organisation: projects enabled with the same <c>--organisation</c> share
/// the count, the exhaustion, the projection and the automatic reconcile interval.
/// </summary>
public abstract class OrganisationQuotaTests(StorageUnderTest storage)
{
    private const string Second = "654321";
    private const string Alone = "777777";

    [Fact]
    public async Task Two_projects_of_one_organisation_count_against_one_quota_and_one_refusal_holds_both_until_reset()
    {
        await using var s = await World.StartAsync(storage);
        s.SetCohort("coh-a", "First project", World.Users(0, 10));
        s.SetCohort("coh-b", "Second project", World.Users(100, 10));
        s.SetCohort("coh-c", "Alone", World.Users(200, 10));
        var a = await EnableAsync(s, World.ProjectId, "acme");
        var b = await EnableAsync(s, Second, "acme");
        var c = await EnableAsync(s, Alone, null);
        var syncA = await Project(s, World.ProjectId).StartSyncAsync(new StartSyncRequest("coh-a", a, "daily"));
        var syncB = await Project(s, Second).StartSyncAsync(new StartSyncRequest("coh-b", b, "daily"));
        var syncC = await Project(s, Alone).StartSyncAsync(new StartSyncRequest("coh-c", c, "daily"));
        Assert.Equal(RunOutcome.Succeeded, (await s.WaitForRunAsync(World.ProjectId, syncA.SyncId, 1)).Outcome);
        Assert.Equal(RunOutcome.Succeeded, (await s.WaitForRunAsync(Second, syncB.SyncId, 1)).Outcome);
        Assert.Equal(RunOutcome.Succeeded, (await s.WaitForRunAsync(Alone, syncC.SyncId, 1)).Outcome);

        // One count for the organisation (the count is one-way: wait for it to land), the project alone keeps its own.
        await Wait.UntilAsync(async () => (await Project(s, Second).GetAsync()).Downloads!.Used == 2, "both downloads counted for acme");
        var first = (await Project(s, World.ProjectId).GetAsync()).Downloads!;
        var second = (await Project(s, Second).GetAsync()).Downloads!;
        var alone = (await Project(s, Alone).GetAsync()).Downloads!;
        Assert.Equal(("acme", 2), (first.Organisation, first.Used));
        Assert.Equal(("acme", 2), (second.Organisation, second.Used));
        Assert.Equal((null, 1, null), (alone.Organisation, alone.Used, alone.ProjectPlannedPerMonth));
        // The projection is the organisation's: both projects' schedules; each project shows its share.
        Assert.True(first.ProjectPlannedPerMonth > 0, $"share {first.ProjectPlannedPerMonth}");
        Assert.Equal(first.ProjectPlannedPerMonth, second.ProjectPlannedPerMonth);
        var both = first.ProjectPlannedPerMonth!.Value + second.ProjectPlannedPerMonth!.Value;
        Assert.InRange(first.Projected, DownloadQuota.Scheduled(2, both, DateTimeOffset.UtcNow) - 1, DownloadQuota.Scheduled(2, both, DateTimeOffset.UtcNow) + 1);
        Assert.InRange(alone.Projected, 1, first.Projected - 1);

        // Amplitude refuses the first project's next download for the month's quota.
        s.Sandbox.Amplitude.PutProject(World.AmplitudeKey, World.AmplitudeSecret, new Sandbox.Amplitude.AmplitudeProjectSettings { MonthlyDownloadQuota = 1 });
        var mark = s.LastRequestSequence;
        var refused = await s.RunAndWaitAsync(syncA.SyncId);
        await s.Sync(Second, syncB.SyncId).RunNowAsync();
        var held = await s.WaitForRunAsync(Second, syncB.SyncId, 2);

        var nextMonth = new DateTimeOffset(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        var reason = $"Amplitude's monthly download quota is used up; runs resume on {nextMonth:yyyy-MM-dd} or when the quota is raised ('cohortsync project quota reset')";
        Assert.Equal((RunOutcome.Failed, reason), (refused.Outcome, refused.Reason));
        Assert.Equal((RunOutcome.Failed, reason), (held.Outcome, held.Reason));
        // One request in all: the second project of the organisation did not ask Amplitude.
        Assert.Single(s.Sandbox.Requests.Since(mark), e => e.Method == "GET" && IsExportRequest(e.Path));
        Assert.Equal(nextMonth, (await Project(s, Second).GetAsync()).Downloads!.ExhaustedUntil);
        Assert.Null((await Project(s, Alone).GetAsync()).Downloads!.ExhaustedUntil);

        // A reset through either project is the organisation's.
        s.Sandbox.Amplitude.PutProject(World.AmplitudeKey, World.AmplitudeSecret, new Sandbox.Amplitude.AmplitudeProjectSettings());
        Assert.Null((await Project(s, Second).ResetQuotaAsync()).Downloads!.ExhaustedUntil);
        Assert.Equal(RunOutcome.Succeeded, (await s.RunAndWaitAsync(syncA.SyncId)).Outcome);
    }

    [Fact]
    public async Task Realtime_syncs_of_every_project_of_the_organisation_share_the_reconcile_budget()
    {
        await using var s = await World.StartAsync(storage, "--CohortSync:Engine:AmplitudeDownloadsPerWindow=0");
        var a = await EnableAsync(s, World.ProjectId, "acme");
        var b = await EnableAsync(s, Second, "acme");
        var first = await StartRealtimeAsync(s, World.ProjectId, a, "a", 30);
        // 30 × every 3 days = 300 of the 400 (80 % of 500): as for a project alone.
        Assert.Equal("every 3 days (auto)", first[^1].Reconcile);

        var second = await StartRealtimeAsync(s, Second, b, "b", 30);
        // 60 share the 400: every 5 days, in both projects.
        Assert.Equal("every 5 days (auto)", second[^1].Reconcile);
        await Wait.UntilAsync(async () =>
        {
            foreach (var sync in first)
                if ((await Retry.CallAsync(() => s.Sync(World.ProjectId, sync.SyncId).GetStatusAsync())).Reconcile != "every 5 days (auto)") return false;
            return true;
        }, "the first project's realtime syncs to reconcile every 5 days");
    }

    private static async Task<List<SyncInfo>> StartRealtimeAsync(World s, string projectId, string destination, string prefix, int count)
    {
        var syncs = new List<SyncInfo>();
        for (var i = 0; i < count; i++)
        {
            s.SetCohort($"rt-{prefix}-{i:D2}", $"Realtime {prefix} {i}", World.Users(i, 2, prefix));
            syncs.Add(await Project(s, projectId).StartSyncAsync(new StartSyncRequest($"rt-{prefix}-{i:D2}", destination, Cadence.Realtime)));
        }
        return syncs;
    }

    private static IProjectGrain Project(World s, string projectId) => s.Grains.GetGrain<IProjectGrain>(projectId);

    private static async Task<string> EnableAsync(World s, string projectId, string? organisation)
    {
        var url = s.Sandbox.BaseUrl.ToString();
        var project = Project(s, projectId);
        await project.EnableAsync(new EnableProjectRequest(World.AmplitudeKey, World.AmplitudeSecret, null, url) { Organisation = organisation });
        return (await project.AddDestinationAsync(new AddDestinationRequest("sandbox", World.IterableKey, null, null, url, null, null))).DestinationId;
    }

    private static bool IsExportRequest(string path) =>
        path.StartsWith("/api/5/cohorts/request/", StringComparison.Ordinal) && path.Count(c => c == '/') == 5;
}

[Collection(nameof(SiloCollection))]
public sealed class OrganisationQuotaTestsOnSqlite() : OrganisationQuotaTests(StorageUnderTest.Sqlite);

[Collection(nameof(SiloCollection))]
public sealed class OrganisationQuotaTestsOnPostgres(PostgresFixture postgres) : OrganisationQuotaTests(StorageUnderTest.Postgres(postgres));
