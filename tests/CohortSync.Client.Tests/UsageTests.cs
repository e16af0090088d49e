using System.Text.Json;
using CohortSync.Client.Cli;

namespace CohortSync.Client.Tests;

/// <summary>Mistakes caught before the cluster is asked: exit 2, one line on stderr, no connection attempt.</summary>
public sealed class UsageTests
{
    private const string SecretLookingKey = "0123456789abcdef0123456789abcdef";
    private readonly CountingUnreachableConnector _cluster = new();

    private async Task<CliResult> RunAsync(string[] args, string stdin = "", Dictionary<string, string>? variables = null)
    {
        var result = await CliHarness.RunAsync(_cluster, args, stdin, variables);
        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Single(result.StderrLines);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Equal(0, _cluster.Attempts);
        return result;
    }

    [Theory]
    [InlineData("0m")]
    [InlineData("weekly")]
    [InlineData("-5m")]
    [InlineData("5")]
    [InlineData("15h")]
    [InlineData("99999999999m")]
    public async Task Bad_cadence_is_a_usage_error_on_one_line(string cadence)
    {
        var result = await RunAsync(["sync", "start", "p1", "--cohort", "c1", "--destination", "d1", "--cadence", cadence]);

        Assert.Contains("cadence", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Secret_passed_as_an_option_is_refused_and_not_echoed()
    {
        var result = await RunAsync(["project", "enable", "p1", "--api-key", SecretLookingKey]);

        Assert.Contains("'--api-key'", result.Stderr);
        Assert.DoesNotContain(SecretLookingKey, result.Stderr);
    }

    [Fact]
    public async Task Secret_passed_as_option_equals_value_is_refused_and_not_echoed()
    {
        var result = await RunAsync(["destination", "add", "p1", "--name", "EU", $"--iterable-key={SecretLookingKey}"]);

        Assert.Contains("'--iterable-key'", result.Stderr);
        Assert.DoesNotContain(SecretLookingKey, result.Stderr);
    }

    [Fact]
    public async Task Secret_passed_as_an_extra_argument_is_refused_and_not_echoed()
    {
        var result = await RunAsync(["project", "enable", "p1", SecretLookingKey, "also-secret-but-long-enough"]);

        Assert.DoesNotContain(SecretLookingKey, result.Stderr);
        Assert.DoesNotContain("also-secret", result.Stderr);
        Assert.Contains("standard input", result.Stderr);
    }

    [Fact]
    public async Task Missing_amplitude_keys_with_empty_stdin_is_a_usage_error()
    {
        var result = await RunAsync(["project", "enable", "p1"], stdin: "");

        Assert.Contains("AMPLITUDE_API_KEY", result.Stderr);
    }

    [Fact]
    public async Task Amplitude_secret_missing_from_stdin_is_a_usage_error()
    {
        await RunAsync(["project", "enable", "p1"], stdin: "only-the-api-key\n");
    }

    [Fact]
    public async Task Only_one_amplitude_variable_set_is_a_usage_error()
    {
        var result = await RunAsync(["project", "enable", "p1"], stdin: "k\ns\n", variables: new() { ["AMPLITUDE_API_KEY"] = "k" });

        Assert.Contains("AMPLITUDE_SECRET_KEY", result.Stderr);
    }

    [Fact]
    public async Task Missing_iterable_key_with_empty_stdin_is_a_usage_error()
    {
        var result = await RunAsync(["destination", "add", "p1", "--name", "US"], stdin: "   \n");

        Assert.Contains("ITERABLE_API_KEY", result.Stderr);
    }

    [Fact]
    public async Task Region_and_url_together_are_refused()
    {
        var result = await RunAsync(["project", "enable", "p1", "--amplitude-region", "eu", "--amplitude-url", "http://localhost:5000"], stdin: "k\ns\n");

        Assert.Contains("--amplitude-region and --amplitude-url", result.Stderr);
    }

    [Theory]
    [InlineData("--iterable-region", "mars")]
    [InlineData("--iterable-url", "ftp://iterable.example")]
    [InlineData("--iterable-url", "/relative/path")]
    [InlineData("--name", "  ")]
    public async Task Bad_destination_option_is_refused(string option, string value)
    {
        var result = await RunAsync(["destination", "add", "p1", "--name", "US", option, value], stdin: "key\n");

        Assert.Contains(option, result.Stderr);
    }

    [Theory]
    [InlineData("bad id")]
    [InlineData("-starts-with-dash")]
    [InlineData("has/slash")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task Invalid_project_id_is_refused(string projectId)
    {
        var result = await RunAsync(["project", "show", "--", projectId]);

        Assert.Contains("not a valid id", result.Stderr);
    }

    [Fact]
    public async Task Invalid_sync_id_is_refused()
    {
        await RunAsync(["sync", "status", "p1", "s/1"]);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:0")]
    [InlineData("localhost:70000")]
    [InlineData("::1:30000")]
    public async Task Bad_gateway_is_refused(string gateway)
    {
        var result = await RunAsync(["project", "show", "p1", "--gateway", gateway]);

        Assert.Contains("gateway", result.Stderr);
    }

    [Fact]
    public async Task Bad_gateway_in_the_environment_is_refused_naming_the_variable()
    {
        var result = await RunAsync(["project", "show", "p1"], variables: new() { ["COHORTSYNC_GATEWAY"] = "127.0.0.1:30000,nonsense" });

        Assert.Contains("COHORTSYNC_GATEWAY", result.Stderr);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public async Task History_limit_below_one_is_refused(string limit)
    {
        await RunAsync(["sync", "history", "p1", "s1", "--limit", limit]);
    }

    [Fact]
    public async Task Unparseable_timeout_is_refused()
    {
        var result = await RunAsync(["sync", "wait", "p1", "s1", "--timeout", "soon"]);

        Assert.Contains("--timeout", result.Stderr);
    }

    [Fact]
    public async Task Missing_command_is_a_usage_error()
    {
        await RunAsync([]);
    }

    [Fact]
    public async Task Usage_error_in_json_mode_also_prints_an_error_document()
    {
        var result = await RunAsync(["--json", "sync", "start", "p1", "--cohort", "c1", "--destination", "d1", "--cadence", "weekly"]);

        using var document = JsonDocument.Parse(result.Stdout);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal("usage", error.GetProperty("code").GetString());
        Assert.Contains("weekly", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Help_prints_to_stdout_and_succeeds()
    {
        var result = await CliHarness.RunAsync(_cluster, ["sync", "--help"]);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("history", result.Stdout);
        Assert.Equal(0, _cluster.Attempts);
    }

    [Fact]
    public async Task Unreachable_cluster_is_exit_3_with_the_gateways_named()
    {
        var result = await CliHarness.RunAsync(_cluster, ["project", "show", "p1", "--gateway", "10.0.0.1:1234", "--gateway", "[::1]:30000"]);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Equal(
            "error: cannot reach the CohortSync cluster at 10.0.0.1:1234, [::1]:30000: is a silo running? (set --gateway or COHORTSYNC_GATEWAY)",
            Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Gateway_comes_from_the_environment_when_no_option_is_given()
    {
        var result = await CliHarness.RunAsync(_cluster, ["sync", "list", "p1"],
            variables: new Dictionary<string, string> { ["COHORTSYNC_GATEWAY"] = "silo-a:30000, silo-b:30001" });

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains("at silo-a:30000, silo-b:30001:", result.Stderr);
    }

    [Fact]
    public async Task Gateway_defaults_to_the_local_silo()
    {
        var result = await CliHarness.RunAsync(_cluster, ["sync", "list", "p1"]);

        Assert.Contains("at 127.0.0.1:30000:", result.Stderr);
    }
}
