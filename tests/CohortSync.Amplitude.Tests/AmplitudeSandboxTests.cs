using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Amplitude;

namespace CohortSync.Amplitude.Tests;

/// <summary>The sandbox's Amplitude API at the wire level, with a bare HttpClient (no redirects, no decompression).</summary>
public sealed class AmplitudeSandboxTests(AmplitudeSandboxFixture sandbox) : IClassFixture<AmplitudeSandboxFixture>
{
    [Fact]
    public async Task Requests_without_valid_basic_auth_get_amplitudes_401_error()
    {
        var project = sandbox.NewProject();
        using var anonymous = Bare();
        using var wrong = Bare(project.ApiKey, "not-the-secret");

        foreach (var http in new[] { anonymous, wrong })
        {
            using var response = await http.GetAsync("api/3/cohorts");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
            Assert.Equal(401, error.GetProperty("http_code").GetInt32());
            Assert.Equal("unauthorized", error.GetProperty("type").GetString());
            Assert.Equal("Invalid API/Secret Key combination", error.GetProperty("metadata").GetProperty("details").GetString());
        }
    }

    [Fact]
    public async Task Cohort_list_carries_amplitudes_fields()
    {
        var project = sandbox.NewProject();
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Buyers", [new AmplitudeMember(1, "u1"), new AmplitudeMember(2, "u2")]);
        using var http = Bare(project.ApiKey, project.SecretKey);

        var cohort = Assert.Single((await http.GetFromJsonAsync<JsonElement>("api/3/cohorts")).GetProperty("cohorts").EnumerateArray());

        Assert.Equal("c-1", cohort.GetProperty("id").GetString());
        Assert.Equal("Buyers", cohort.GetProperty("name").GetString());
        Assert.Equal(2, cohort.GetProperty("size").GetInt64());
        Assert.True(cohort.GetProperty("appId").GetInt64() > 0);
        Assert.False(cohort.GetProperty("archived").GetBoolean());
        Assert.True(cohort.GetProperty("published").GetBoolean());
        Assert.True(cohort.GetProperty("lastComputed").GetInt64() > 1_600_000_000_000);
        Assert.Equal("redshift", cohort.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Array, cohort.GetProperty("owners").ValueKind);
    }

    [Fact]
    public async Task Cohort_file_quotes_every_field_and_leaves_missing_values_as_empty_quotes()
    {
        var project = sandbox.NewProject(new AmplitudeProjectSettings { RedirectDownloads = false, Gzip = false });
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort",
        [
            new AmplitudeMember(1, "u1", new Dictionary<string, string?> { ["a"] = "x", ["b"] = "say \"hi\", ok" }),
            new AmplitudeMember(2, null, new Dictionary<string, string?> { ["a"] = "y" }),
        ]);
        using var http = Bare(project.ApiKey, project.SecretKey);

        var selected = await ExportTextAsync(http, "c-1", "?props=1&propKeys=b&propKeys=a");
        var all = await ExportTextAsync(http, "c-1", "?props=1");
        var plain = await ExportTextAsync(http, "c-1", "");

        Assert.Equal(
            "\"amplitude_id\",\"user_id\",\"b\",\"a\"\n\"1\",\"u1\",\"say \"\"hi\"\", ok\",\"x\"\n\"2\",\"\",\"\",\"y\"\n",
            selected);
        Assert.StartsWith("\"amplitude_id\",\"user_id\",\"a\",\"b\"\n", all);
        Assert.Equal("\"amplitude_id\",\"user_id\"\n\"1\",\"u1\"\n\"2\",\"\"\n", plain);
    }

    [Fact]
    public async Task File_is_gzipped_only_when_the_client_accepts_it_and_the_project_allows_it()
    {
        var zipping = sandbox.NewProject(new AmplitudeProjectSettings { RedirectDownloads = false });
        var notZipping = sandbox.NewProject(new AmplitudeProjectSettings { RedirectDownloads = false, Gzip = false });
        foreach (var project in new[] { zipping, notZipping })
        {
            sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", [new AmplitudeMember(1, "u1")]);
        }

        using var zippingHttp = Bare(zipping.ApiKey, zipping.SecretKey);
        using var notZippingHttp = Bare(notZipping.ApiKey, notZipping.SecretKey);

        using var gzipped = await ExportAsync(zippingHttp, "c-1", "", acceptGzip: true);
        using var identity = await ExportAsync(zippingHttp, "c-1", "", acceptGzip: false);
        using var refused = await ExportAsync(notZippingHttp, "c-1", "", acceptGzip: true);

        Assert.Equal(["gzip"], gzipped.Content.Headers.ContentEncoding);
        await using (var unzipped = new GZipStream(await gzipped.Content.ReadAsStreamAsync(), CompressionMode.Decompress))
        {
            Assert.Equal("\"amplitude_id\",\"user_id\"\n\"1\",\"u1\"\n", await new StreamReader(unzipped).ReadToEndAsync());
        }

        Assert.Empty(identity.Content.Headers.ContentEncoding);
        Assert.Empty(refused.Content.Headers.ContentEncoding);
        Assert.Equal("\"amplitude_id\",\"user_id\"\n\"1\",\"u1\"\n", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Download_link_works_once_and_refuses_a_request_carrying_credentials()
    {
        var project = sandbox.NewProject(new AmplitudeProjectSettings { Gzip = false });
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", [new AmplitudeMember(1, "u1")]);
        using var http = Bare(project.ApiKey, project.SecretKey);
        using var anonymous = Bare();

        using var redirect = await ExportAsync(http, "c-1", "", acceptGzip: false);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        var link = redirect.Headers.Location!;
        Assert.StartsWith("/_files/", link.AbsolutePath, StringComparison.Ordinal);

        using var withCredentials = await http.GetAsync(link);
        using var first = await anonymous.GetAsync(link);
        using var second = await anonymous.GetAsync(link);

        Assert.Equal(HttpStatusCode.BadRequest, withCredentials.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("\"amplitude_id\",\"user_id\"\n\"1\",\"u1\"\n", await first.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
    }

    [Fact]
    public async Task Status_polls_answer_202_in_progress_the_configured_number_of_times_then_200_completed()
    {
        var project = sandbox.NewProject(new AmplitudeProjectSettings { InProgressPolls = 2 });
        sandbox.Amplitude.PutMembers(project.ApiKey, "c-1", "Cohort", [new AmplitudeMember(1, "u1")]);
        using var http = Bare(project.ApiKey, project.SecretKey);
        using var started = await http.GetAsync("api/5/cohorts/request/c-1");
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var requestId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString();

        var answers = new List<(HttpStatusCode, string?)>();
        for (var i = 0; i < 3; i++)
        {
            using var poll = await http.GetAsync($"api/5/cohorts/request-status/{requestId}");
            var body = await poll.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("c-1", body.GetProperty("cohort_id").GetString());
            answers.Add((poll.StatusCode, body.GetProperty("async_status").GetString()));
        }

        Assert.Equal(
            [(HttpStatusCode.Accepted, "JOB INPROGRESS"), (HttpStatusCode.Accepted, "JOB INPROGRESS"), (HttpStatusCode.OK, "JOB COMPLETED")],
            answers);
    }

    [Fact]
    public async Task Unknown_cohorts_and_unknown_requests_are_404()
    {
        var project = sandbox.NewProject();
        using var http = Bare(project.ApiKey, project.SecretKey);

        using var cohort = await http.GetAsync("api/5/cohorts/request/nope");
        using var status = await http.GetAsync("api/5/cohorts/request-status/nope");
        using var file = await http.GetAsync("api/5/cohorts/request/nope/file");

        Assert.Equal(HttpStatusCode.NotFound, cohort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, file.StatusCode);
    }

    [Fact]
    public async Task A_generated_cohort_is_the_same_file_every_time_for_the_same_seed()
    {
        var project = sandbox.NewProject(new AmplitudeProjectSettings { RedirectDownloads = false, Gzip = false });
        var spec = new GeneratedCohortSpec(Count: 1_000, Seed: 3, PropertyName: "p", MissingPropertyFraction: 0.2);
        sandbox.Amplitude.PutGenerated(project.ApiKey, "a", "A", spec);
        sandbox.Amplitude.PutGenerated(project.ApiKey, "other-seed", "B", spec with { Seed = 4 });
        using var http = Bare(project.ApiKey, project.SecretKey);

        var first = await ExportTextAsync(http, "a", "?props=1");
        var again = await ExportTextAsync(http, "a", "?props=1");
        var otherSeed = await ExportTextAsync(http, "other-seed", "?props=1");

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
        var rows = first.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..];
        Assert.Equal(1_000, rows.Length);
        Assert.StartsWith("\"1000000000\",\"user-0\",\"", rows[0], StringComparison.Ordinal);
        Assert.InRange(rows.Count(r => r.EndsWith(",\"\"", StringComparison.Ordinal)), 150, 250);
    }

    [Fact]
    public async Task A_generated_cohort_leaves_out_exactly_the_removed_members_given_in_any_order_even_overlapping()
    {
        var project = sandbox.NewProject(new AmplitudeProjectSettings { RedirectDownloads = false, Gzip = false });
        IndexRange[] removed = [new(900, 901), new(7, 8), new(500, 510), new(505, 520), new(100, 101)];
        sandbox.Amplitude.PutGenerated(project.ApiKey, "churned", "Churned", new GeneratedCohortSpec(Count: 1_000, Removed: removed, AddCount: 3));
        using var http = Bare(project.ApiKey, project.SecretKey);

        var rows = (await ExportTextAsync(http, "churned", "")).Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..];

        var ids = rows.Select(r => r.Split(',')[1].Trim('"')).ToList();
        var expected = Enumerable.Range(0, 1_003).Where(i => i != 7 && i != 100 && i != 900 && i is < 500 or >= 520).Select(i => $"user-{i}");
        Assert.Equal(expected, ids);
    }

    [Fact]
    public async Task Admin_endpoints_define_replace_inspect_and_delete_cohorts()
    {
        using var http = new HttpClient { BaseAddress = sandbox.Server.BaseUrl };
        var admin = new SandboxAdminClient(http);
        var apiKey = "admin-" + Guid.NewGuid().ToString("N");

        await admin.PutAmplitudeProjectAsync(apiKey, new AmplitudeProjectDefinition("s", Settings: new AmplitudeProjectSettings { InProgressPolls = 0 }));
        var generated = await admin.PutAmplitudeCohortAsync(apiKey, "g", new AmplitudeCohortDefinition("Gen",
            Generated: new GeneratedCohortSpec(Count: 10_000, RemoveFraction: 0.5, Removed: [new IndexRange(0, 100)], AddCount: 7)));
        var raw = await admin.PutAmplitudeCohortAsync(apiKey, "r", new AmplitudeCohortDefinition("Raw", Raw: new RawCohortFile(Base64: "AAEC", Size: 3)));
        var replaced = await admin.PutAmplitudeCohortAsync(apiKey, "r", new AmplitudeCohortDefinition("Raw 2", Members: [new AmplitudeMember(5)]));
        await admin.DeleteAmplitudeCohortAsync(apiKey, "g");
        await admin.SetAmplitudeFaultsAsync(apiKey, new AmplitudeFaults(DownloadFailures: 2));

        Assert.Equal("generated", generated.Kind);
        Assert.InRange(generated.Size, 4_800, 5_200);
        Assert.Equal(("raw", 3L), (raw.Kind, raw.Size));
        Assert.Equal(("explicit", 1L, "Raw 2"), (replaced.Kind, replaced.Size, replaced.Name));
        Assert.Null(await admin.GetAmplitudeCohortAsync(apiKey, "g"));
        Assert.Equal(["r"], (await admin.GetAmplitudeCohortsAsync(apiKey)).Select(c => c.Id));
        Assert.Equal(2, (await admin.GetAmplitudeProjectAsync(apiKey))!.Faults.DownloadFailures);
        Assert.Empty(await admin.GetAmplitudeRequestsAsync(apiKey));
        var invalid = await Assert.ThrowsAsync<HttpRequestException>(() => admin.PutAmplitudeCohortAsync(apiKey, "x",
            new AmplitudeCohortDefinition("Both", Members: [], Raw: new RawCohortFile(Text: ""))));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);

        await admin.DeleteAmplitudeProjectAsync(apiKey);
        Assert.Null(await admin.GetAmplitudeProjectAsync(apiKey));
    }

    [Fact]
    public async Task Demo_seed_has_power_users_with_some_missing_user_ids_and_churn_risk()
    {
        using var http = new HttpClient { BaseAddress = sandbox.Server.BaseUrl };
        await new SandboxAdminClient(http).SeedAmplitudeDemoAsync();
        using var demo = Bare(AmplitudeSandbox.DemoApiKey, AmplitudeSandbox.DemoSecretKey);

        var cohorts = (await demo.GetFromJsonAsync<JsonElement>("api/3/cohorts")).GetProperty("cohorts").EnumerateArray()
            .ToDictionary(c => c.GetProperty("id").GetString()!, c => (c.GetProperty("name").GetString(), c.GetProperty("size").GetInt64()));
        var sink = new CollectingSink();
        using var anonymous = Bare();
        using var file = await ExportAsync(demo, "power-users", "?props=1&propKeys=email_hash", acceptGzip: false);
        using var followed = await anonymous.GetAsync(file.Headers.Location);
        var result = await CohortCsvReader.ReadAsync(await followed.Content.ReadAsStreamAsync(), "user_id", sink, CancellationToken.None);

        Assert.Equal(("Power users", 1200L), cohorts["power-users"]);
        Assert.Equal(("Churn risk", 300L), cohorts["churn-risk"]);
        Assert.Equal(1200, result.Rows);
        Assert.InRange(result.EmptyIdentities, 30, 90);
    }

    private HttpClient Bare(string? apiKey = null, string? secretKey = null)
    {
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = sandbox.Server.BaseUrl,
        };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{apiKey}:{secretKey}")));
        }

        return http;
    }

    /// <summary>Request, poll until completed, then call the file endpoint (the answer may be a redirect).</summary>
    private static async Task<HttpResponseMessage> ExportAsync(HttpClient http, string cohortId, string query, bool acceptGzip)
    {
        using var started = await http.GetAsync($"api/5/cohorts/request/{cohortId}{query}");
        var requestId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetString();
        while (true)
        {
            using var poll = await http.GetAsync($"api/5/cohorts/request-status/{requestId}");
            if (poll.StatusCode == HttpStatusCode.OK)
            {
                break;
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/5/cohorts/request/{requestId}/file");
        if (acceptGzip)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        }

        return await http.SendAsync(request);
    }

    private static async Task<string> ExportTextAsync(HttpClient http, string cohortId, string query)
    {
        using var response = await ExportAsync(http, cohortId, query, acceptGzip: false);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
