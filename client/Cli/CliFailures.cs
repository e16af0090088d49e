using CohortSync.Client.Input;

namespace CohortSync.Client.Cli;

/// <summary>The command line or its input is wrong; nothing was sent to the cluster.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>No gateway could be reached, or the connection to it was lost.</summary>
public sealed class ClusterUnreachableException(
    IReadOnlyList<GatewayAddress> gateways,
    string? detail = null,
    string? hint = null,
    Exception? inner = null)
    : Exception(MessageFor(gateways, detail, hint), inner)
{
    public IReadOnlyList<GatewayAddress> Gateways { get; } = gateways;

    /// <summary>"cannot reach … at a:1, b:2: [what happened; ]what to check".</summary>
    public static string MessageFor(IReadOnlyList<GatewayAddress> gateways, string? detail = null, string? hint = null) =>
        $"cannot reach the CohortSync cluster at {string.Join(", ", gateways)}: "
        + (detail is null ? "" : detail + "; ")
        + (hint ?? $"is a silo running? (set --gateway or {GatewayList.EnvironmentVariable})");
}
