using CohortSync.Client.Input;
using CohortSync.Contracts;

namespace CohortSync.Client.Cluster;

/// <summary>
/// How a command reaches the cluster. The process uses <see cref="OrleansClusterConnector"/>;
/// tests that already hold a cluster client use <see cref="GrainFactoryConnector"/>.
/// </summary>
public interface IClusterConnector
{
    /// <summary>Connects through the given gateways, or throws <see cref="Cli.ClusterUnreachableException"/>.</summary>
    Task<IClusterConnection> ConnectAsync(IReadOnlyList<GatewayAddress> gateways, CancellationToken cancellationToken);
}

/// <summary>An open connection to the cluster, good for one command.</summary>
public interface IClusterConnection : IAsyncDisposable
{
    /// <summary>Cancelled when the last gateway goes away, so a command fails at once instead of at the response timeout.</summary>
    CancellationToken Lost { get; }

    IProjectGrain Project(string projectId);

    ICohortSyncGrain Sync(string projectId, string syncId);

    IMemberUploadGrain Upload(string projectId, string syncId);

    /// <summary>The cluster's HTTP API tokens (<c>token create|list|revoke</c>).</summary>
    IApiTokenGrain Tokens() => throw new NotSupportedException("This connection does not reach the token registry.");
}

/// <summary>A connection over any grain factory: an Orleans client, or a test cluster's client.</summary>
public sealed class GrainFactoryConnection(IGrainFactory grains, CancellationToken lost = default, Func<ValueTask>? close = null) : IClusterConnection
{
    public CancellationToken Lost { get; } = lost;

    public IProjectGrain Project(string projectId) => grains.GetGrain<IProjectGrain>(projectId);

    public ICohortSyncGrain Sync(string projectId, string syncId) => grains.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(projectId, syncId));

    public IMemberUploadGrain Upload(string projectId, string syncId) => grains.GetGrain<IMemberUploadGrain>(GrainKeys.Sync(projectId, syncId));

    public IApiTokenGrain Tokens() => grains.GetGrain<IApiTokenGrain>(IApiTokenGrain.RegistryKey);

    public ValueTask DisposeAsync() => close?.Invoke() ?? ValueTask.CompletedTask;
}

/// <summary>Ignores <c>--gateway</c> and hands out an existing grain factory (whose owner keeps it open).</summary>
public sealed class GrainFactoryConnector(IGrainFactory grains) : IClusterConnector
{
    public Task<IClusterConnection> ConnectAsync(IReadOnlyList<GatewayAddress> gateways, CancellationToken cancellationToken) =>
        Task.FromResult<IClusterConnection>(new GrainFactoryConnection(grains));
}
