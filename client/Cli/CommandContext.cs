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
    RunWaiter waiter,
    CancellationTokenSource command)
{
    private volatile bool _connectionLost;

    public ResultWriter Output { get; } = output;

    public SecretInput Secrets { get; } = new(environment);

    public RunWaiter Waiter { get; } = waiter;

    /// <summary>Stderr, for the rare line that is neither the result nor an error.</summary>
    public TextWriter Error => environment.Error;

    /// <summary>Stdin, for a command that reads a file from it (<c>sync upload --file -</c>).</summary>
    public TextReader StandardInput => environment.Input;

    /// <summary>True once a gateway accepted the connection: from then on a failure may have reached the cluster.</summary>
    public bool Connected { get; private set; }

    /// <summary>True once the connection dropped; the command's token was cancelled because of it.</summary>
    public bool ConnectionLost => _connectionLost;

    /// <summary>Connects, and cancels the command (the token its handler was given) if the connection drops later.</summary>
    public async Task<IClusterConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = await connector.ConnectAsync(gateways, cancellationToken);
        Connected = true;
        connection.Lost.Register(() =>
        {
            _connectionLost = true;
            command.Cancel();
        });
        return connection;
    }
}
