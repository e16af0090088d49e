using CohortSync.Client.Input;

namespace CohortSync.Client.Cluster;

/// <summary>A connector that finds the gateways in the membership table; the gateway list it is handed is ignored.</summary>
public sealed class MembershipConnector(OrleansClusterConnector orleans, MembershipTable table) : IClusterConnector
{
    public Task<IClusterConnection> ConnectAsync(IReadOnlyList<GatewayAddress> gateways, CancellationToken cancellationToken) =>
        orleans.ConnectAsync(table, cancellationToken);

    /// <summary>
    /// <paramref name="connector"/> redirected to the membership table when one is given. Connectors that do not
    /// open Orleans clients (tests' grain factories) are already connected and stay as they are.
    /// </summary>
    public static IClusterConnector Through(IClusterConnector connector, MembershipTable? table) =>
        table is not null && connector is OrleansClusterConnector orleans ? new MembershipConnector(orleans, table) : connector;
}
