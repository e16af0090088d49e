using System.Text.Json;
using CohortSync.Sandbox;
using CohortSync.Testing;


namespace CohortSync.Integration.Tests;

/// <summary>The `cohortsync` client and the silo as separate processes, as an operator runs them.</summary>
public abstract class CliEndToEndTests(StorageUnderTest storage)
{
    [Fact]
    public async Task Operator_enables_a_project_adds_a_destination_and_syncs_a_cohort_with_the_cli()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.Amplitude.PutProject("amp-key-cli", "amp-secret-cli");
        sandbox.Iterable.AddApiKey("iterable-key-cli-0001");
        sandbox.Amplitude.PutMembers("amp-key-cli", "coh-cli", "CLI cohort",
            Enumerable.Range(0, 250).Select(i => new Sandbox.Amplitude.AmplitudeMember(i, $"cli-user-{i:D4}")));
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path, await storage.SiloArgsAsync(data.Path));
        var gateway = $"127.0.0.1:{silo.GatewayPort}";
        var url = sandbox.BaseUrl.ToString();

        var project = await CliJsonAsync(["project", "enable", "777", "--amplitude-url", url, "--gateway", gateway, "--json"],
            stdin: "amp-key-cli\namp-secret-cli\n");
        Assert.Equal("777", project.GetProperty("projectId").GetString());
        Assert.True(project.GetProperty("enabled").GetBoolean());
        Assert.Equal("…-cli", project.GetProperty("amplitudeKeyHint").GetString());

        var destination = await CliJsonAsync(["destination", "add", "777", "--name", "Sandbox", "--iterable-url", url, "--gateway", gateway, "--json"],
            environment: new Dictionary<string, string?> { ["ITERABLE_API_KEY"] = "iterable-key-cli-0001" });
        var destinationId = destination.GetProperty("destinationId").GetString()!;
        Assert.Equal("…0001", destination.GetProperty("keyHint").GetString());

        var started = await CliJsonAsync(["sync", "start", "777", "--cohort", "coh-cli", "--destination", destinationId, "--cadence", "once", "--wait", "--gateway", gateway, "--json"]);
        var run = started.GetProperty("run");
        Assert.Equal("succeeded", run.GetProperty("outcome").GetString());
        Assert.Equal(250, run.GetProperty("counts").GetProperty("added").GetInt64());
        var syncId = started.GetProperty("sync").GetProperty("syncId").GetString()!;

        var status = await CliJsonAsync(["sync", "status", "777", syncId, "--gateway", gateway, "--json"]);
        Assert.Equal("done", status.GetProperty("state").GetString());
        Assert.Equal("[Amplitude] CLI cohort", status.GetProperty("listName").GetString());
        Assert.Equal(250, status.GetProperty("syncedCount").GetInt64());
        var listId = status.GetProperty("listId").GetInt64();
        Assert.Equal(250, sandbox.Iterable.GetListMembers("iterable-key-cli-0001", listId).Count);

        var history = await CliJsonAsync(["sync", "history", "777", syncId, "--gateway", gateway, "--json"]);
        Assert.Equal(1, history.GetArrayLength());

        var syncs = await CliJsonAsync(["sync", "list", "777", "--gateway", gateway, "--json"]);
        Assert.Equal(syncId, Assert.Single(syncs.EnumerateArray()).GetProperty("syncId").GetString());

        // A refusal from the cluster: one line, exit 1, the error code in the JSON document.
        var unknown = await ChildProcess.RunAsync(ChildProcess.Client, ["sync", "start", "777", "--cohort", "no-such", "--destination", destinationId, "--cadence", "hourly", "--gateway", gateway, "--json"]);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("unknown_cohort", JsonDocument.Parse(unknown.Stdout).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Single(unknown.Stderr.Trim().Split('\n'));

        var badCadence = await ChildProcess.RunAsync(ChildProcess.Client, ["sync", "start", "777", "--cohort", "coh-cli", "--destination", destinationId, "--cadence", "sometimes", "--gateway", gateway]);
        Assert.Equal(2, badCadence.ExitCode);
        Assert.Contains("cadence", badCadence.Stderr);

        // Hourly needs more Amplitude downloads than a month allows: started all the same, with a warning beside the id.
        sandbox.Amplitude.PutMembers("amp-key-cli", "coh-hourly", "Hourly cohort", [new Sandbox.Amplitude.AmplitudeMember(1, "hourly-user")]);
        var hourly = await ChildProcess.RunAsync(ChildProcess.Client, ["sync", "start", "777", "--cohort", "coh-hourly", "--destination", destinationId, "--cadence", "hourly", "--gateway", gateway]);
        Assert.True(hourly.ExitCode == 0, hourly.Stderr);
        Assert.Single(hourly.Stdout.Trim().Split('\n'));
        Assert.StartsWith("warning: cadence hourly needs about 720 Amplitude cohort downloads a month, more than the quota of 500", hourly.Stderr);
        var shown = await CliJsonAsync(["project", "show", "777", "--gateway", gateway, "--json"]);
        Assert.Equal(500, shown.GetProperty("downloads").GetProperty("quota").GetInt32());
        Assert.InRange(shown.GetProperty("downloads").GetProperty("used").GetInt32(), 1, 2);
    }

    private static async Task<JsonElement> CliJsonAsync(string[] args, string stdin = "", Dictionary<string, string?>? environment = null)
    {
        var result = await ChildProcess.RunAsync(ChildProcess.Client, args, environment, stdin);
        Assert.True(result.ExitCode == 0, $"cohortsync {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}{result.Stdout}");
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }
}

[Collection(nameof(SiloCollection))]
public sealed class CliEndToEndTestsOnSqlite() : CliEndToEndTests(StorageUnderTest.Sqlite);

[Collection(nameof(SiloCollection))]
public sealed class CliEndToEndTestsOnPostgres(PostgresFixture postgres) : CliEndToEndTests(StorageUnderTest.Postgres(postgres));
