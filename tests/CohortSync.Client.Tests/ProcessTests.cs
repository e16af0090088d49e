using System.Diagnostics;
using CohortSync.Client.Cli;
using CohortSync.Client.Tests.StandIn;
using CohortSync.Testing;

namespace CohortSync.Client.Tests;

/// <summary>The built <c>cohortsync</c> as an operator's shell runs it: real console streams, real exit codes.</summary>
public sealed class ProcessTests
{
    /// <summary>Far above the client's connect give-up time; only there so a hang fails instead of blocking the run.</summary>
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(2);

    private static async Task<CliResult> RunProcessAsync(string[] args, string stdin = "", Dictionary<string, string?>? variables = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cohortsync.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // The test machine's own settings must not leak in.
        foreach (var name in new[] { "COHORTSYNC_GATEWAY", "AMPLITUDE_API_KEY", "AMPLITUDE_SECRET_KEY", "ITERABLE_API_KEY" }) start.Environment.Remove(name);
        foreach (var (name, value) in variables ?? []) start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(ProcessTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cohortsync {string.Join(' ', args)} did not exit within {ProcessTimeout}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
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
        await using var silo = await StandInSilo.StartAsync();
        var gateway = new Dictionary<string, string?> { ["COHORTSYNC_GATEWAY"] = silo.Gateway.ToString() };

        var enabled = await RunProcessAsync(["project", "enable", "acme"], "amp-key-1111\namp-secret-2222\n", gateway);
        var destination = await RunProcessAsync(["destination", "add", "acme", "--name", "US"], "iterable-key-3333\n", gateway);
        var destinationId = destination.Stdout.TrimEnd('\n');
        var sync = await RunProcessAsync(["sync", "start", "acme", "--cohort", "coh1", "--destination", destinationId, "--cadence", "hourly"], variables: gateway);
        var waited = await RunProcessAsync(["sync", "wait", "acme", sync.Stdout.TrimEnd('\n')], variables: gateway);

        Assert.True(enabled.ExitCode == ExitCodes.Ok, enabled.ToString());
        Assert.Equal("d1\n", destination.Stdout);
        Assert.Equal("s1\n", sync.Stdout);
        Assert.True(waited.ExitCode == ExitCodes.Ok, waited.ToString());
        Assert.Equal("", enabled.Stderr + destination.Stderr + sync.Stderr + waited.Stderr);
    }
}
