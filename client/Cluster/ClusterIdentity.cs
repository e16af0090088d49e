using CohortSync.Client.Cli;

namespace CohortSync.Client.Cluster;

/// <summary>
/// The cluster id and service id the silos run with. Gateways refuse clients of another cluster id,
/// so these must match the silo's configuration.
/// </summary>
public sealed record ClusterIdentity(string ClusterId, string ServiceId)
{
    public const string ClusterIdVariable = "COHORTSYNC_CLUSTER_ID";
    public const string ServiceIdVariable = "COHORTSYNC_SERVICE_ID";
    public const string DefaultId = "cohortsync";

    public static ClusterIdentity FromEnvironment(CliEnvironment environment) =>
        new(environment.Variable(ClusterIdVariable) ?? DefaultId, environment.Variable(ServiceIdVariable) ?? DefaultId);
}
