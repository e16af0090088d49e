using CohortSync.Client.Input;

namespace CohortSync.Client.Cli;

/// <summary>The command line or its input is wrong; nothing was sent to the cluster.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>No gateway could be reached, or the connection to it was lost.</summary>
public sealed class ClusterUnreachableException(IReadOnlyList<GatewayAddress> gateways, string? detail = null, Exception? inner = null)
    : Exception(MessageFor(gateways, detail), inner)
{
    public IReadOnlyList<GatewayAddress> Gateways { get; } = gateways;

    public static string MessageFor(IReadOnlyList<GatewayAddress> gateways, string? detail = null) =>
        $"cannot reach the CohortSync cluster at {string.Join(", ", gateways)}: "
        + (detail is null ? "" : detail + "; ")
        + $"is a silo running? (set --gateway or {GatewayList.EnvironmentVariable})";
}
