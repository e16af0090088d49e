using System.Text.Json;
using System.Text.RegularExpressions;
using CohortSync.Client.Cli;
using CohortSync.Client.Cluster;
using CohortSync.Client.Http;
using CohortSync.Client.Waiting;
using CohortSync.Testing;

namespace CohortSync.Api.Tests;

/// <summary>
/// <c>cohortsync --api URL</c> with <c>COHORTSYNC_TOKEN</c>: the same commands over the silo's HTTP API (real HTTP on
/// loopback) print what they print over a gateway, and the API's refusals come back as the CLI's errors and exit codes.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class CliOverApiTests(ApiWorld world)
{
    [Fact]
    public async Task The_same_script_over_the_api_prints_what_it_prints_over_a_gateway()
    {
        var overGateway = await ScriptAsync("cliapi-gw", "one", api: false);
        var overApi = await ScriptAsync("cliapi-http", "two", api: true);

        Assert.Equal(overGateway.Count, overApi.Count);
        for (var i = 0; i < overGateway.Count; i++) Assert.Equal(overGateway[i], overApi[i]);
        Assert.Contains("\"syncedCount\": 40", overApi.Single(step => step.StartsWith("status ", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Runs the script on its own project and its own cohort (a list name belongs to one sync of the Iterable project);
    /// each step's exit code and output, with ids, names and times masked.
    /// </summary>
    private async Task<List<string>> ScriptAsync(string projectId, string cohortSuffix, bool api)
    {
        var steps = new List<string>();
        var sandbox = world.World.Sandbox.BaseUrl.ToString();
        var (cohort, cohortName) = ($"coh-cli-{cohortSuffix}", $"CLI over API {cohortSuffix}");
        world.World.SetCohort(cohort, cohortName, World.Users(0, 40));
        var ids = new Dictionary<string, string> { [projectId] = "<project>", [cohort] = "<cohort>", [cohortName] = "<cohort name>" };
        async Task<CliResult> Step(string name, string[] args, string stdin = "", Dictionary<string, string>? variables = null)
        {
            var result = api ? await ApiAsync(world.WriteToken, args, stdin, variables) : await GatewayAsync(args, stdin, variables);
            Assert.True(result.ExitCode == 0, $"{name} over {(api ? "the API" : "a gateway")}: {result}");
            steps.Add($"{name} exit={result.ExitCode} {result.Stdout} | {result.Stderr}");
            Assert.DoesNotContain(world.WriteToken, result.Stdout + result.Stderr);
            return result;
        }

        await Step("enable", ["project", "enable", projectId, "--amplitude-url", sandbox], $"{World.AmplitudeKey}\n{World.AmplitudeSecret}\n");
        await Step("show", ["project", "show", projectId, "--json"]);
        var destinationId = (await Step("destination add", ["destination", "add", projectId, "--name", "Sandbox", "--iterable-url", sandbox],
            variables: new() { ["ITERABLE_API_KEY"] = World.IterableKey })).Stdout.Trim();
        ids[destinationId] = "<destination>";
        await Step("destination list", ["destination", "list", projectId, "--json"]);
        var started = await Step("start", ["sync", "start", projectId, "--cohort", cohort, "--destination", destinationId, "--cadence", "hourly", "--guard", "off", "--wait"]);
        ids[started.Stdout.Split('\n')[0].Trim()] = "<sync>";
        var syncId = started.Stdout.Split('\n')[0].Trim();
        await Step("run", ["sync", "run", projectId, syncId, "--wait", "--json"]);
        await Step("status", ["sync", "status", projectId, syncId, "--json"]);
        await Step("list", ["sync", "list", projectId, "--json"]);
        await Step("history", ["sync", "history", projectId, syncId, "--json"]);
        await Step("history text", ["sync", "history", projectId, syncId]);
        await Step("pause", ["sync", "pause", projectId, syncId, "--json"]);
        await Step("stop", ["sync", "stop", projectId, syncId, "--json"]);
        await Step("disable", ["project", "disable", projectId, "--json"]);
        // Masked at the end: a step's output names ids learnt from later steps' outputs too.
        return steps.Select(step => Mask(step, ids)).ToList();
    }

    [Fact]
    public async Task A_refusal_of_the_cluster_keeps_its_code_and_exit_code_over_the_api()
    {
        var overGateway = await GatewayAsync(["project", "show", "cliapi-never", "--json"]);
        var overApi = await ApiAsync(world.ReadToken, ["project", "show", "cliapi-never", "--json"]);

        Assert.Equal(ExitCodes.Refused, overApi.ExitCode);
        Assert.Equal((overGateway.ExitCode, overGateway.Stdout, overGateway.Stderr), (overApi.ExitCode, overApi.Stdout, overApi.Stderr));
        Assert.Equal("unknown_project", ErrorCode(overApi));
    }

    [Fact]
    public async Task Without_a_token_the_cli_says_where_the_token_comes_from_and_sends_nothing()
    {
        var result = await CliAsync(["project", "show", "cliapi-any", "--api", world.BaseUrl.ToString(), "--json"], variables: new());

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("usage", ErrorCode(result));
        Assert.Contains(HttpApiConnector.TokenVariable, result.Stderr);
    }

    [Fact]
    public async Task A_revoked_token_is_refused_with_a_clear_message()
    {
        var token = (await world.Tokens.CreateAsync("cliapi-revoked", readOnly: false)).Token;
        Assert.Equal("unknown_project", ErrorCode(await ApiAsync(token, ["project", "show", "cliapi-any", "--json"])));
        await world.Tokens.RevokeAsync("cliapi-revoked");

        var result = await ApiAsync(token, ["project", "show", "cliapi-any", "--json"]);

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Equal("unauthorized", ErrorCode(result));
        Assert.Contains("missing, unknown or revoked", result.Stderr);
        Assert.DoesNotContain(token, result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task A_read_only_token_cannot_change_anything_and_says_so()
    {
        var result = await ApiAsync(world.ReadToken, ["project", "disable", "cliapi-any", "--json"]);

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Equal("forbidden", ErrorCode(result));
        Assert.Contains("read-only token cannot", result.Stderr);
        Assert.DoesNotContain(world.ReadToken, result.Stdout + result.Stderr);
    }

    [Theory]
    [InlineData("?token=x")]
    [InlineData("/api/v1")]
    [InlineData("#frag")]
    public async Task An_api_url_with_more_than_scheme_host_and_port_is_refused(string suffix)
    {
        var url = world.BaseUrl.GetLeftPart(UriPartial.Authority) + suffix;
        var result = await CliAsync(["project", "show", "cliapi-any", "--api", url, "--json"], variables: new() { [HttpApiConnector.TokenVariable] = world.ReadToken });

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("no path, query string or user info", result.Stderr);
        Assert.DoesNotContain(suffix, result.Stderr);
    }

    [Fact]
    public async Task An_api_nobody_answers_on_is_the_unreachable_failure()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await CliAsync(["sync", "list", "cliapi-any", "--api", $"http://127.0.0.1:{port}", "--json"],
            variables: new() { [HttpApiConnector.TokenVariable] = world.ReadToken });

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Equal("cluster_unreachable", ErrorCode(result));
        Assert.Contains($"cannot reach the CohortSync cluster at 127.0.0.1:{port}", result.Stderr);
    }

    [Fact]
    public async Task Token_commands_over_the_api_point_to_the_cluster()
    {
        var result = await ApiAsync(world.WriteToken, ["token", "list", "--json"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("run token commands against the cluster (--gateway)", result.Stderr);
    }

    private Task<CliResult> GatewayAsync(string[] args, string stdin = "", Dictionary<string, string>? variables = null) =>
        CliAsync(args, stdin, variables);

    private Task<CliResult> ApiAsync(string token, string[] args, string stdin = "", Dictionary<string, string>? variables = null)
    {
        var withToken = new Dictionary<string, string>(variables ?? []) { [HttpApiConnector.ApiVariable] = world.BaseUrl.ToString(), [HttpApiConnector.TokenVariable] = token };
        return CliAsync(args, stdin, withToken);
    }

    private async Task<CliResult> CliAsync(string[] args, string stdin = "", Dictionary<string, string>? variables = null)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var environment = new CliEnvironment(stdout, stderr, new StringReader(stdin), inputIsTerminal: false,
            name => variables is not null && variables.TryGetValue(name, out var value) ? value : null);
        var cli = new CohortSyncCli(environment, new GrainFactoryConnector(world.World.Grains), new RunWaiter(TimeSpan.FromMilliseconds(10)));
        var exit = await cli.RunAsync(args);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    private static string? ErrorCode(CliResult result) =>
        JsonDocument.Parse(result.Stdout).RootElement.GetProperty("error").GetProperty("code").GetString();

    /// <summary>Ids replaced by their role; times, durations and the ages text output shows, masked.</summary>
    private static string Mask(string output, Dictionary<string, string> ids)
    {
        foreach (var (id, role) in ids) output = output.Replace(id, role, StringComparison.Ordinal);
        output = Timestamp().Replace(output, "<time>");
        output = Millis().Replace(output, "\"$1Ms\":0");
        output = ListId().Replace(output, "\"listId\": 0");
        return output.Trim();
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?")]
    private static partial Regex Timestamp();

    [GeneratedRegex("\"listId\":\\s*\\d+")]
    private static partial Regex ListId();

    [GeneratedRegex("\"(\\w*)Ms\":\\s*\\d+")]
    private static partial Regex Millis();
}

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}
