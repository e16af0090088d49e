using System.Text.Json;
using CohortSync.Contracts;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Storage.Webhooks;
using CohortSync.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CohortSync.Integration.Tests;

/// <summary>
/// The sandbox plays Amplitude's cohort webhook sender against a real silo over loopback HTTP: cohort changes made
/// through the sandbox's admin API arrive as enter/exit batches at <c>/webhooks/amplitude/{projectId}</c>, and the
/// delivery log says what the silo answered.
/// </summary>
public abstract class SandboxWebhookSenderTests(StorageUnderTest storage)
{
    private const string CohortId = "coh-rt";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_cohort_change_reaches_the_silo_as_enter_and_exit_batches_that_it_stores()
    {
        await using var w = await World.StartAsync(storage);
        using var http = new HttpClient { BaseAddress = w.Sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);
        var token = await IssueTokenAsync(w);
        var shown = await admin.PutAmplitudeWebhookAsync(World.AmplitudeKey, Destination(w, token));
        Assert.Equal("…" + token.Token[^4..], shown.Headers["Authorization"]);

        // Two changes within the same second: the second still carries the later computed_time, or alice's exit would be stale.
        await PutMembersAsync(admin, Member(1, "alice"), Member(2, "bob"), Member(3, "carol"));
        await PutMembersAsync(admin, Member(2, "bob"), Member(3, "carol"), Member(4, "dave"));
        var deliveries = await admin.WaitForAmplitudeWebhookDeliveriesAsync(World.AmplitudeKey, 3, Deadline);

        Assert.Equal(3, deliveries.Count);
        Assert.Equal(
            ["enter:alice,bob,carol", "enter:dave", "exit:alice"],
            deliveries.Select(d => $"{(d.InCohort ? "enter" : "exit")}:{string.Join(',', d.UserIds)}"));
        Assert.All(deliveries, d =>
        {
            Assert.Equal(AmplitudeWebhookDeliveryState.Delivered, d.State);
            Assert.Equal(200, d.LastStatus);
            Assert.Equal(1, d.Attempts);
            Assert.False(Answer(d).GetProperty("duplicate").GetBoolean());
        });
        Assert.Equal(3, deliveries.Select(d => d.MessageId).Distinct().Count());
        Assert.EndsWith("::enter::0", deliveries[0].MessageId);
        Assert.EndsWith("::exit::0", deliveries[2].MessageId);
        Assert.True(long.Parse(deliveries[1].ComputedTime) > long.Parse(deliveries[0].ComputedTime));

        var stored = await StoredAsync(w);
        Assert.Equal(["alice:out", "bob:in", "carol:in", "dave:in"], stored.Select(c => $"{c.UserId}:{(c.InCohort ? "in" : "out")}").Order());
        Assert.Equal("dave@example.com", JsonDocument.Parse(stored.Single(c => c.UserId == "dave").UserProperties!).RootElement.GetProperty("email").GetString());

        var everythingShown = JsonSerializer.Serialize(await admin.GetAmplitudeWebhookAsync(World.AmplitudeKey)) + JsonSerializer.Serialize(deliveries);
        Assert.DoesNotContain(token.Token, everythingShown);
    }

    [Fact]
    public async Task With_duplicate_on_every_batch_is_sent_twice_and_the_silo_answers_the_second_copy_as_a_duplicate()
    {
        await using var w = await World.StartAsync(storage);
        using var http = new HttpClient { BaseAddress = w.Sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);
        var token = await IssueTokenAsync(w);
        await admin.PutAmplitudeWebhookAsync(World.AmplitudeKey, Destination(w, token) with { Duplicate = true });

        await PutMembersAsync(admin, Member(1, "alice"), Member(2, "bob"));
        var deliveries = await admin.WaitForAmplitudeWebhookDeliveriesAsync(World.AmplitudeKey, 2, Deadline);

        Assert.Equal(2, deliveries.Count);
        Assert.Equal(deliveries[0].MessageId, deliveries[1].MessageId);
        Assert.Equal([1, 2], deliveries.Select(d => d.Copy));
        Assert.All(deliveries, d => Assert.Equal(200, d.LastStatus));
        Assert.False(Answer(deliveries[0]).GetProperty("duplicate").GetBoolean());
        Assert.True(Answer(deliveries[1]).GetProperty("duplicate").GetBoolean());
        Assert.Equal(["alice", "bob"], (await StoredAsync(w)).Select(c => c.UserId).Order());
    }

    [Fact]
    public async Task Batches_hold_at_most_batch_size_members_and_reverse_sends_a_changes_exits_before_its_enters()
    {
        await using var w = await World.StartAsync(storage);
        using var http = new HttpClient { BaseAddress = w.Sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);
        var token = await IssueTokenAsync(w);
        await admin.PutAmplitudeWebhookAsync(World.AmplitudeKey, Destination(w, token) with { BatchSize = 2, Reverse = true });

        await PutMembersAsync(admin, Member(1, "u1"), Member(2, "u2"), Member(3, "u3"));
        await admin.WaitForAmplitudeWebhookDeliveriesAsync(World.AmplitudeKey, 2, Deadline);
        await PutMembersAsync(admin, Member(4, "u4"), Member(5, "u5"), Member(6, "u6"));
        var deliveries = await admin.WaitForAmplitudeWebhookDeliveriesAsync(World.AmplitudeKey, 6, Deadline);

        Assert.Equal(
            ["enter::0:u1,u2", "enter::1:u3", "exit::0:u1,u2", "exit::1:u3", "enter::0:u4,u5", "enter::1:u6"],
            deliveries.Select(d => $"{d.MessageId[(d.MessageId.IndexOf("::", StringComparison.Ordinal) + 2)..]}:{string.Join(',', d.UserIds)}"));
        Assert.All(deliveries, d => Assert.Equal(200, d.LastStatus));
        var stored = await StoredAsync(w);
        Assert.Equal(["u1:out", "u2:out", "u3:out", "u4:in", "u5:in", "u6:in"], stored.Select(c => $"{c.UserId}:{(c.InCohort ? "in" : "out")}").Order());
    }

    [Fact]
    public async Task A_refused_or_unreachable_batch_is_retried_then_logged_as_failed_with_what_went_wrong()
    {
        await using var w = await World.StartAsync(storage);
        using var http = new HttpClient { BaseAddress = w.Sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);
        var token = await IssueTokenAsync(w);
        const string unreachableKey = "amp-key-0002";
        w.Sandbox.Amplitude.PutProject(unreachableKey, "amp-secret-0002");
        await admin.PutAmplitudeWebhookAsync(World.AmplitudeKey, Destination(w, token) with
        {
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer not-the-projects-token" },
            Retries = 2,
        });
        await admin.PutAmplitudeWebhookAsync(unreachableKey, Destination(w, token) with
        {
            Url = $"http://127.0.0.1:{FreePorts.Next()}/webhooks/amplitude/{World.ProjectId}",
            Retries = 1,
        });

        await PutMembersAsync(admin, Member(1, "alice"));
        await admin.SendAmplitudeWebhookAsync(unreachableKey, CohortId, new AmplitudeWebhookSendRequest(Entered: [new("alice")]));
        var refused = Assert.Single(await admin.WaitForAmplitudeWebhookDeliveriesAsync(World.AmplitudeKey, 1, Deadline));
        var unreachable = Assert.Single(await admin.WaitForAmplitudeWebhookDeliveriesAsync(unreachableKey, 1, Deadline));

        Assert.Equal((AmplitudeWebhookDeliveryState.Failed, 3, 401), (refused.State, refused.Attempts, refused.LastStatus));
        Assert.Contains("bearer token", Answer(refused).GetProperty("error").GetString());
        Assert.Equal((AmplitudeWebhookDeliveryState.Failed, 2, (int?)null), (unreachable.State, unreachable.Attempts, unreachable.LastStatus));
        Assert.StartsWith("The connection failed", unreachable.LastError);
        Assert.Empty(await StoredAsync(w));
    }

    [Fact]
    public async Task An_explicit_send_can_repeat_a_message_id_and_carry_an_older_computed_time_which_the_silo_keeps_out()
    {
        await using var w = await World.StartAsync(storage);
        using var http = new HttpClient { BaseAddress = w.Sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);
        var token = await IssueTokenAsync(w);
        await admin.PutAmplitudeWebhookAsync(World.AmplitudeKey, Destination(w, token));

        var entered = await admin.SendAmplitudeWebhookAsync(World.AmplitudeKey, CohortId,
            new AmplitudeWebhookSendRequest(Entered: [new("alice")], ComputedTime: 2_000_000_000, MessageIdPrefix: "fixed"));
        await admin.SendAmplitudeWebhookAsync(World.AmplitudeKey, CohortId,
            new AmplitudeWebhookSendRequest(Entered: [new("alice")], ComputedTime: 2_000_000_000, MessageIdPrefix: "fixed"));
        await admin.SendAmplitudeWebhookAsync(World.AmplitudeKey, CohortId,
            new AmplitudeWebhookSendRequest(Exited: [new("alice")], ComputedTime: 1_999_999_000));
        var deliveries = await admin.WaitForAmplitudeWebhookDeliveriesAsync(World.AmplitudeKey, 3, Deadline);

        Assert.Equal(["fixed::enter::0"], entered.MessageIds);
        Assert.Equal("2000000000", entered.ComputedTime);
        Assert.Equal(["fixed::enter::0", "fixed::enter::0"], deliveries.Take(2).Select(d => d.MessageId));
        Assert.Equal([false, true, false], deliveries.Select(d => Answer(d).GetProperty("duplicate").GetBoolean()));
        Assert.Equal(1, Answer(deliveries[2]).GetProperty("stale").GetInt32());
        Assert.Equal(["alice:in"], (await StoredAsync(w)).Select(c => $"{c.UserId}:{(c.InCohort ? "in" : "out")}"));
    }

    /// <summary>Enables the world's project and issues its webhook token.</summary>
    private static async Task<WebhookTokenIssued> IssueTokenAsync(World w)
    {
        await w.EnableProjectAsync();
        return await w.Project.IssueWebhookTokenAsync(false);
    }

    private static AmplitudeWebhookDestination Destination(World w, WebhookTokenIssued token) => new(
        new Uri(w.Silo.HttpBaseUrl, token.Path.TrimStart('/')).ToString(),
        new Dictionary<string, string> { ["Authorization"] = $"Bearer {token.Token}" },
        RetryBackoffMs: 20);

    private static Task PutMembersAsync(SandboxAdminClient admin, params AmplitudeMember[] members) =>
        admin.PutAmplitudeCohortAsync(World.AmplitudeKey, CohortId, new AmplitudeCohortDefinition("Realtime", members));

    private static AmplitudeMember Member(long amplitudeId, string userId) =>
        new(amplitudeId, userId, new Dictionary<string, string?> { ["email"] = $"{userId}@example.com" });

    private static JsonElement Answer(AmplitudeWebhookDelivery delivery) => JsonDocument.Parse(delivery.ResponseBody!).RootElement;

    private static async Task<IReadOnlyList<WebhookMemberChange>> StoredAsync(World w) =>
        (await w.Silo.Services.GetRequiredService<IWebhookStore>().ReadChangesAsync(World.ProjectId, CohortId, 0, 1000, CancellationToken.None)).Changes;
}

[Collection(nameof(SiloCollection))]
public sealed class SandboxWebhookSenderTestsOnSqlite() : SandboxWebhookSenderTests(StorageUnderTest.Sqlite);

[Collection(nameof(SiloCollection))]
public sealed class SandboxWebhookSenderTestsOnPostgres(PostgresFixture postgres) : SandboxWebhookSenderTests(StorageUnderTest.Postgres(postgres));

/// <summary>What the sender's admin API refuses or hides; no silo needed.</summary>
public sealed class SandboxWebhookDestinationTests
{
    [Fact]
    public async Task A_destination_with_more_than_five_headers_a_reserved_header_or_credentials_in_its_url_is_refused()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.Amplitude.PutProject(World.AmplitudeKey, World.AmplitudeSecret);
        using var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);
        var valid = new AmplitudeWebhookDestination("http://127.0.0.1:9/webhooks/amplitude/1", new Dictionary<string, string> { ["X-Env"] = "test" });
        AmplitudeWebhookDestination[] refused =
        [
            valid with { Headers = Enumerable.Range(1, 6).ToDictionary(i => $"X-Header-{i}", i => "v") },
            valid with { Headers = new Dictionary<string, string> { ["User-Agent"] = "mine" } },
            valid with { Headers = new Dictionary<string, string> { ["X-Token"] = "a\r\nInjected: yes" } },
            valid with { Url = "http://user:secret@127.0.0.1:9/webhooks/amplitude/1" },
            valid with { Url = "/webhooks/amplitude/1" },
            valid with { BatchSize = 0 },
        ];

        foreach (var destination in refused)
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => admin.PutAmplitudeWebhookAsync(World.AmplitudeKey, destination));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        }

        Assert.Null(await admin.GetAmplitudeWebhookAsync(World.AmplitudeKey));
        Assert.Equal("…", (await admin.PutAmplitudeWebhookAsync(World.AmplitudeKey, valid)).Headers["X-Env"]);
        var noDestination = await Assert.ThrowsAsync<HttpRequestException>(() => admin.SendAmplitudeWebhookAsync(
            "no-such-key", "coh-1", new AmplitudeWebhookSendRequest(Entered: [new("alice")])));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, noDestination.StatusCode);
    }
}
