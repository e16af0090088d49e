using CohortSync.Client.Cluster;
using CohortSync.Client.Input;
using CohortSync.Client.Output;
using CohortSync.Client.Waiting;

namespace CohortSync.Client.Cli;

/// <summary>What one command handler works with: its output, its secrets, and the way to the cluster.</summary>
public sealed class CommandContext(
    CliEnvironment environment,
    IClusterConnector connector,
    IReadOnlyList<GatewayAddress> gateways,
    ResultWriter output,
    RunWaiter waiter)
{
    public ResultWriter Output { get; } = output;

    public SecretInput Secrets { get; } = new(environment);

    public RunWaiter Waiter { get; } = waiter;

    /// <summary>Stderr, for the rare line that is neither the result nor an error.</summary>
    public TextWriter Error => environment.Error;

    public Task<IClusterConnection> ConnectAsync(CancellationToken cancellationToken) => connector.ConnectAsync(gateways, cancellationToken);
}
