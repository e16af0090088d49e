using CohortSync.Client.Cli;
using CohortSync.Client.Cluster;
using CohortSync.Client.Input;
using CohortSync.Client.Waiting;

namespace CohortSync.Client.Tests;

/// <summary>What one in-process run of the CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}

/// <summary>Runs the CLI in-process with string streams, a given stdin and given environment variables.</summary>
public static class CliHarness
{
    public static async Task<CliResult> RunAsync(
        IClusterConnector connector,
        string[] args,
        string stdin = "",
        IReadOnlyDictionary<string, string>? variables = null,
        CancellationToken cancellationToken = default)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var environment = new CliEnvironment(stdout, stderr, new StringReader(stdin), inputIsTerminal: false,
            name => variables is not null && variables.TryGetValue(name, out var value) ? value : null);
        // Polls often: a run on the test silo takes tens of milliseconds.
        var cli = new CohortSyncCli(environment, connector, new RunWaiter(TimeSpan.FromMilliseconds(10)));
        var exitCode = await cli.RunAsync(args, cancellationToken);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>For commands that must fail before the cluster is asked: counts attempts, and reaches nothing.</summary>
public sealed class CountingUnreachableConnector : IClusterConnector
{
    public int Attempts { get; private set; }

    public Task<IClusterConnection> ConnectAsync(IReadOnlyList<GatewayAddress> gateways, CancellationToken cancellationToken)
    {
        Attempts++;
        throw new ClusterUnreachableException(gateways);
    }
}
