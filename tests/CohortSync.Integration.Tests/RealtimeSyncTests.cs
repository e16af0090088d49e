using System.Net;
using System.Text;
using CohortSync.Contracts;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Testing;
using CohortSync.Testing.Webhooks;

namespace CohortSync.Integration.Tests;

/// <summary>
/// A <c>realtime</c> sync follows Amplitude's cohort webhooks through a real silo's web host: batches posted over
/// loopback are stored, then applied to the Iterable list with no cohort download; duplicates and late batches change nothing.
/// </summary>
public abstract class RealtimeSyncTests(StorageUnderTest storage)
{
    private const string Cohort = "coh-rt";

    [Fact]
    public async Task Webhook_enters_and_exits_reach_the_list_without_another_download()
    {
        await using var s = await World.StartAsync(storage);
        var (sync, poster) = await StartRealtimeAsync(s, World.Users(0, 10));
        using var _ = poster;

        var entered = await poster.EnterAsync(Cohort, "user-000100", "user-000101");
        var exited = await poster.ExitAsync(Cohort, "user-000002");

        Assert.Equal((HttpStatusCode.OK, 2, false), (entered.Status, entered.Applied, entered.Duplicate));
        Assert.Equal((HttpStatusCode.OK, 1), (exited.Status, exited.Applied));
        var expected = World.Users(0, 10).Except(["user-000002"]).Concat(["user-000100", "user-000101"]).Order(StringComparer.Ordinal).ToList();
        var status = await WaitForListAsync(s, sync, expected);
        Assert.Equal(11, status.SyncedCount);
        var history = (await s.HistoryAsync(sync)).OrderBy(r => r.RunNumber).ToList();
        Assert.Equal(RunSource.Download, history[0].Source);
        Assert.All(history.Skip(1), run => Assert.Equal((RunSource.Webhook, "webhook", RunOutcome.Succeeded), (run.Source, run.Trigger, run.Outcome)));
        // The first run downloaded the cohort; the changes came by webhook.
        Assert.Equal(1, (await s.Project.GetAsync()).Downloads!.Used);
    }

    [Fact]
    public async Task A_batch_sent_again_with_its_message_id_changes_nothing()
    {
        await using var s = await World.StartAsync(storage);
        var (sync, poster) = await StartRealtimeAsync(s, World.Users(0, 5));
        using var _ = poster;
        var batch = WebhookPoster.Batch(Cohort, true, ["user-000050"], poster.Tick(), "retried::enter::0");
        var first = await poster.PostAsync(batch);
        await WaitForListAsync(s, sync, [.. World.Users(0, 5), "user-000050"]);
        var runs = (await s.StatusAsync(sync)).LastRun!.RunNumber;
        var mark = s.LastRequestSequence;

        var again = await poster.PostAsync(batch);
        // Sent by sweep or notice, an apply would show up as a run: a later batch proves the first one left nothing waiting.
        var later = await poster.EnterAsync(Cohort, "user-000051");
        await WaitForListAsync(s, sync, [.. World.Users(0, 5), "user-000050", "user-000051"]);

        Assert.Equal((HttpStatusCode.OK, false, 1), (first.Status, first.Duplicate, first.Applied));
        Assert.Equal((HttpStatusCode.OK, true, 0), (again.Status, again.Duplicate, again.Applied));
        Assert.Equal(HttpStatusCode.OK, later.Status);
        var subscribed = s.IterableWritesSince(mark).Where(World.IsMembershipWrite).SelectMany(e => e.UserIds ?? []).ToList();
        Assert.Equal(["user-000051"], subscribed);
        Assert.True((await s.StatusAsync(sync)).LastRun!.RunNumber > runs);
    }

    [Fact]
    public async Task An_exit_that_overtakes_its_enter_is_not_undone_by_the_late_enter()
    {
        await using var s = await World.StartAsync(storage);
        var (sync, poster) = await StartRealtimeAsync(s, World.Users(0, 3));
        using var _ = poster;
        var enterAt = poster.Tick();
        var exitAt = poster.Tick();

        // Computed in the order enter, exit; delivered exit first.
        var exit = await poster.PostAsync(WebhookPoster.Batch(Cohort, false, ["user-000001", "user-000009"], exitAt));
        var lateEnter = await poster.PostAsync(WebhookPoster.Batch(Cohort, true, ["user-000001", "user-000009"], enterAt));
        // A marker batch after both: once it is in the list, every earlier batch has been applied.
        await poster.EnterAsync(Cohort, "user-000020");

        Assert.Equal((2, 0), (exit.Applied, exit.Stale));
        Assert.Equal((0, 2), (lateEnter.Applied, lateEnter.Stale));
        await WaitForListAsync(s, sync, ["user-000000", "user-000002", "user-000020"]);
    }

    [Fact]
    public async Task Requests_without_the_right_token_or_with_a_body_it_cannot_use_are_refused_and_change_nothing()
    {
        await using var s = await World.StartAsync(storage);
        var (sync, poster) = await StartRealtimeAsync(s, World.Users(0, 3));
        using var _ = poster;
        var runs = (await s.StatusAsync(sync)).LastRun!.RunNumber;
        var good = Encoding.UTF8.GetBytes(WebhookPoster.Batch(Cohort, true, ["user-000099"], poster.Tick()).ToJsonString());
        using var noToken = new WebhookPoster(s.Silo.HttpPort, World.ProjectId, null);
        using var otherProject = new WebhookPoster(s.Silo.HttpPort, "999999", "whatever");

        var answers = new Dictionary<string, WebhookAnswer>
        {
            ["no token"] = await noToken.PostRawAsync(good),
            ["wrong token"] = await poster.PostRawAsync(good, tokenOverride: "not-the-token"),
            ["unknown project"] = await otherProject.PostRawAsync(good),
            ["not json"] = await poster.PostRawAsync("{\"cohort_id\":"u8.ToArray()),
            ["no users"] = await poster.PostRawAsync(Encoding.UTF8.GetBytes($"{{\"cohort_id\":\"{Cohort}\",\"in_cohort\":true,\"computed_time\":\"1700000000\",\"message_id\":\"m1\"}}")),
            ["no message id"] = await poster.PostRawAsync(Encoding.UTF8.GetBytes($"{{\"cohort_id\":\"{Cohort}\",\"in_cohort\":true,\"computed_time\":\"1700000000\",\"users\":[]}}")),
            ["over 4 MiB"] = await poster.PostRawAsync(new byte[4 * 1024 * 1024 + 1]),
        };
        await s.Project.DisableAsync();
        answers["disabled project"] = await poster.PostRawAsync(good);

        Assert.Equal(
            new Dictionary<string, HttpStatusCode>
            {
                ["no token"] = HttpStatusCode.Unauthorized,
                ["wrong token"] = HttpStatusCode.Unauthorized,
                ["unknown project"] = HttpStatusCode.Unauthorized,
                ["not json"] = HttpStatusCode.BadRequest,
                ["no users"] = HttpStatusCode.BadRequest,
                ["no message id"] = HttpStatusCode.BadRequest,
                ["over 4 MiB"] = HttpStatusCode.RequestEntityTooLarge,
                ["disabled project"] = HttpStatusCode.Forbidden,
            },
            answers.ToDictionary(a => a.Key, a => a.Value.Status));
        Assert.All(answers.Values, a => Assert.False(string.IsNullOrWhiteSpace(a.Error)));
        // One sentence each, no exception text.
        Assert.All(answers.Values, a => Assert.Matches(@"^[^\n]{10,200}$", a.Error!));
        Assert.All(answers.Values, a => Assert.DoesNotContain("Exception", a.Error));
        Assert.Equal(runs, (await s.StatusAsync(sync)).LastRun!.RunNumber);
        Assert.Equal(World.Users(0, 3), ListOf(s, (await s.StatusAsync(sync)).ListId!.Value));
    }

    [Fact]
    public async Task A_member_without_a_user_id_is_skipped_and_counted_and_the_rest_of_the_batch_applies()
    {
        await using var s = await World.StartAsync(storage);
        var (sync, poster) = await StartRealtimeAsync(s, World.Users(0, 2));
        using var _ = poster;
        var body = $"{{\"cohort_name\":\"x\",\"cohort_id\":\"{Cohort}\",\"in_cohort\":true,\"computed_time\":\"{poster.Tick()}\",\"message_id\":\"m-skip\","
            + "\"users\":[{\"user_id\":\"user-000007\"},{\"user_properties\":{}},{\"user_id\":\"\"}]}";

        var answer = await poster.PostRawAsync(Encoding.UTF8.GetBytes(body));

        Assert.Equal((HttpStatusCode.OK, 1, 2), (answer.Status, answer.Applied, answer.Skipped));
        await WaitForListAsync(s, sync, [.. World.Users(0, 2), "user-000007"]);
    }

    [Fact]
    public async Task A_reconciliation_download_repairs_an_exit_and_an_enter_the_webhooks_missed()
    {
        await using var s = await World.StartAsync(storage);
        var (sync, poster) = await StartRealtimeAsync(s, World.Users(0, 5));
        using var _ = poster;
        // Amplitude moved on, and its webhook for it never came; a later batch did.
        s.SetCohort(Cohort, "Realtime", [.. World.Users(0, 5).Where(u => u != "user-000002"), "user-000042"]);
        await poster.EnterAsync(Cohort, "user-000043");
        await WaitForListAsync(s, sync, [.. World.Users(0, 5), "user-000043"]);

        var reconcile = await s.RunAndWaitAsync(sync);

        Assert.Equal((RunSource.Download, RunOutcome.Succeeded, 1L, 2L), (reconcile.Source, reconcile.Outcome, reconcile.Counts.Added, reconcile.Counts.Removed));
        // The download is the truth: user-000043 entered by webhook but is not in the cohort Amplitude lists now.
        await WaitForListAsync(s, sync, ["user-000000", "user-000001", "user-000003", "user-000004", "user-000042"]);
        Assert.Equal("daily (auto)", (await s.StatusAsync(sync)).Reconcile);
    }

    [Fact]
    public async Task The_sandbox_playing_amplitude_sends_a_cohort_change_that_reaches_the_list_by_the_mapped_property()
    {
        await using var s = await World.StartAsync(storage);
        static AmplitudeMember Member(long id, string user) => new(id, user, new Dictionary<string, string?> { ["email"] = $"{user}@example.com" });
        s.SetCohortMembers(Cohort, "Realtime", [Member(1, "ann"), Member(2, "ben")]);
        var destination = await s.EnableWithDestinationAsync(userProperty: "email");
        var token = await s.Project.IssueWebhookTokenAsync(false);
        var sync = await s.StartSyncIdAsync(Cohort, destination, "realtime");
        Assert.Equal(RunOutcome.Succeeded, (await s.WaitForRunAsync(sync, 1)).Outcome);
        using var http = new HttpClient { BaseAddress = s.Sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);
        await admin.PutAmplitudeWebhookAsync(World.AmplitudeKey, new AmplitudeWebhookDestination(
            new Uri(s.Silo.HttpBaseUrl, token.Path.TrimStart('/')).ToString(), new Dictionary<string, string> { ["Authorization"] = $"Bearer {token.Token}" }));

        await admin.PutAmplitudeCohortAsync(World.AmplitudeKey, Cohort, new AmplitudeCohortDefinition("Realtime", [Member(2, "ben"), Member(3, "cat")]));

        await admin.WaitForAmplitudeWebhookDeliveriesAsync(World.AmplitudeKey, 2, TimeSpan.FromSeconds(60));
        await WaitForListAsync(s, sync, ["ben@example.com", "cat@example.com"]);
        Assert.Equal(1, (await s.Project.GetAsync()).Downloads!.Used);
    }

    /// <summary>Enables the project, issues its webhook token, starts a realtime sync and waits for its first (download) run.</summary>
    private static async Task<(string Sync, WebhookPoster Poster)> StartRealtimeAsync(World s, IReadOnlyList<string> members)
    {
        s.SetCohort(Cohort, "Realtime", members);
        var destination = await s.EnableWithDestinationAsync();
        var issued = await s.Project.IssueWebhookTokenAsync(false);
        var sync = await s.StartSyncIdAsync(Cohort, destination, "realtime");
        var first = await s.WaitForRunAsync(sync, 1);
        Assert.Equal(RunOutcome.Succeeded, first.Outcome);
        return (sync, new WebhookPoster(s.Silo.HttpPort, World.ProjectId, issued.Token));
    }

    /// <summary>Waits until the sync's list holds exactly <paramref name="expected"/> and no run is active.</summary>
    private static async Task<SyncInfo> WaitForListAsync(World s, string sync, IEnumerable<string> expected)
    {
        var want = expected.Order(StringComparer.Ordinal).ToList();
        SyncInfo? last = null;
        await Wait.UntilAsync(async () =>
        {
            last = await s.StatusAsync(sync);
            return last.ActiveRun is null && last.ListId is { } list && ListOf(s, list).SequenceEqual(want);
        }, $"the list of {sync} to hold {string.Join(",", want)}");
        return last!;
    }

    private static List<string> ListOf(World s, long listId) => s.ListMembers(listId).Order(StringComparer.Ordinal).ToList();
}

[Collection(nameof(SiloCollection))]
public sealed class RealtimeSyncTestsOnSqlite() : RealtimeSyncTests(StorageUnderTest.Sqlite);

[Collection(nameof(SiloCollection))]
public sealed class RealtimeSyncTestsOnPostgres(PostgresFixture postgres) : RealtimeSyncTests(StorageUnderTest.Postgres(postgres));
