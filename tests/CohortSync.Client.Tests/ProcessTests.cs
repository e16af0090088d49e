using CohortSync.Client.Cli;
using CohortSync.Testing;

namespace CohortSync.Client.Tests;

/// <summary>The built <c>cohortsync</c> as an operator's shell runs it: real console streams, real exit codes.</summary>
[Collection(RealSiloCollection.Name)]
public sealed class ProcessTests(RealSiloFixture fixture)
{
    /// <summary>Far above the client's connect give-up time; only there so a hang fails instead of blocking the run.</summary>
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(2);

    private static async Task<CliResult> RunProcessAsync(string[] args, string stdin = "", Dictionary<string, string?>? variables = null)
    {
        // From the client's own build output, with its own dependency manifest: this test project's carries the silo's too.
        var result = await ChildProcess.RunAsync(ChildProcess.Client, args, variables, stdin, ProcessTimeout);
        return new CliResult(result.ExitCode, result.Stdout, result.Stderr);
    }

    [Fact]
    public async Task Closed_gateway_port_is_exit_3_with_one_line_on_stderr()
    {
        var closedPort = FreePorts.Next();

        var result = await RunProcessAsync(["project", "show", "acme", "--gateway", $"127.0.0.1:{closedPort}"]);

        Assert.True(result.ExitCode == ExitCodes.Unreachable, result.ToString());
        Assert.Equal(
            $"error: cannot reach the CohortSync cluster at 127.0.0.1:{closedPort}: is a silo running? (set --gateway or COHORTSYNC_GATEWAY)",
            Assert.Single(result.StderrLines));
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Closed_gateway_in_json_mode_prints_the_error_document()
    {
        var result = await RunProcessAsync(["sync", "list", "acme", "--json"], variables: new() { ["COHORTSYNC_GATEWAY"] = $"127.0.0.1:{FreePorts.Next()}" });

        Assert.True(result.ExitCode == ExitCodes.Unreachable, result.ToString());
        Assert.Contains("\"code\": \"cluster_unreachable\"", result.Stdout);
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public async Task Bad_cadence_is_exit_2_before_any_connection()
    {
        var result = await RunProcessAsync(["sync", "start", "acme", "--cohort", "c1", "--destination", "d1", "--cadence", "fortnightly"]);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public async Task Missing_key_with_empty_stdin_is_exit_2()
    {
        var result = await RunProcessAsync(["destination", "add", "acme", "--name", "US"], stdin: "");

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains("ITERABLE_API_KEY", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Ids_printed_alone_can_be_captured_by_a_script()
    {
        var session = new OperatorSession(fixture);
        var (key, secret) = session.AmplitudeProject("script");
        session.SetCohort("script", "coh1", "u-1", "u-2");
        var gateway = new Dictionary<string, string?> { ["COHORTSYNC_GATEWAY"] = fixture.Gateway };

        var enabled = await RunProcessAsync(["project", "enable", "script", "--amplitude-url", fixture.SandboxUrl], $"{key}\n{secret}\n", gateway);
        var destination = await RunProcessAsync(["destination", "add", "script", "--name", "US", "--iterable-url", fixture.SandboxUrl],
            World.IterableKey + "\n", gateway);
        var destinationId = destination.Stdout.TrimEnd('\n');
        var sync = await RunProcessAsync(["sync", "start", "script", "--cohort", "coh1", "--destination", destinationId, "--cadence", "daily"], variables: gateway);
        var waited = await RunProcessAsync(["sync", "wait", "script", sync.Stdout.TrimEnd('\n'), "--json"], variables: gateway);

        Assert.True(enabled.ExitCode == ExitCodes.Ok, enabled.ToString());
        Assert.Matches("^d-[0-9a-f]{8}\n$", destination.Stdout);
        Assert.Matches("^s-[0-9a-f]{8}\n$", sync.Stdout);
        Assert.True(waited.ExitCode == ExitCodes.Ok, waited.ToString());
        Assert.Contains("\"added\": 2", waited.Stdout);
        Assert.Equal("", enabled.Stderr + destination.Stderr + sync.Stderr + waited.Stderr);
    }
}
