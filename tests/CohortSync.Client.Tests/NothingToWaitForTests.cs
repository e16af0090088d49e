using System.Text.Json;
using CohortSync.Client.Cli;
using CohortSync.Client.Cluster;
using CohortSync.Client.Input;
using CohortSync.Contracts;

namespace CohortSync.Client.Tests;

/// <summary>
/// A sync paused with no run at all: the real grains never get there (a sync starts its first run when it is
/// created, and a pause records that run as cancelled), yet the client must not wait forever on an old or
/// future cluster that does. The one stand-in left: a sync fixed in memory, behind a connection that reaches nothing.
/// </summary>
public sealed class NothingToWaitForTests
{
    private static readonly FixedSyncConnector PausedBeforeAnyRun = new(Samples.Sync(state: SyncState.Paused));

    [Fact]
    public async Task Waiting_on_a_paused_sync_that_never_ran_is_exit_4()
    {
        var result = await CliHarness.RunAsync(PausedBeforeAnyRun, ["sync", "wait", "acme", "s1"]);

        Assert.True(result.ExitCode == ExitCodes.RunFailed, result.ToString());
        Assert.Equal("error: sync s1 is paused and has no run to wait for", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Waiting_on_a_paused_sync_that_never_ran_in_json_mode_prints_the_error_code()
    {
        var result = await CliHarness.RunAsync(PausedBeforeAnyRun, ["sync", "wait", "acme", "s1", "--json"]);

        Assert.True(result.ExitCode == ExitCodes.RunFailed, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.Equal("nothing_to_wait_for", document.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    /// <summary>Every sync it is asked for answers with one fixed status; nothing else is supported.</summary>
    private sealed class FixedSyncConnector(SyncInfo status) : IClusterConnector, IClusterConnection
    {
        public CancellationToken Lost => CancellationToken.None;

        public Task<IClusterConnection> ConnectAsync(IReadOnlyList<GatewayAddress> gateways, CancellationToken cancellationToken) =>
            Task.FromResult<IClusterConnection>(this);

        public IProjectGrain Project(string projectId) => throw new NotSupportedException();

        public ICohortSyncGrain Sync(string projectId, string syncId) => new FixedSync(status);

        public IMemberUploadGrain Upload(string projectId, string syncId) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class FixedSync(SyncInfo status) : ICohortSyncGrain
    {
        public Task<SyncInfo> GetStatusAsync() => Task.FromResult(status);

        public Task<SyncInfo> RunNowAsync() => throw new NotSupportedException();

        public Task<SyncInfo> PauseAsync() => throw new NotSupportedException();

        public Task<SyncInfo> ResumeAsync() => throw new NotSupportedException();

        public Task<SyncInfo> StopAsync() => throw new NotSupportedException();
        public Task<SyncInfo> StopAsync(ListOnStop list) => throw new NotSupportedException();
        public Task<SyncInfo> FollowRenameAsync(ListOnStop oldList) => throw new NotSupportedException();
        public Task<SyncInfo> RunNowAsync(RunNowRequest request) => throw new NotSupportedException();
        public Task<RefusedPage> GetRefusedAsync(string? after, int limit) => throw new NotSupportedException();

        public Task<IReadOnlyList<RunRecord>> GetHistoryAsync(int limit) => throw new NotSupportedException();

        public Task<SyncPreview> PreviewAsync() => throw new NotSupportedException();

        public Task<SyncInfo> ApproveAsync() => throw new NotSupportedException();

        public Task<SyncInfo> RejectAsync() => throw new NotSupportedException();

        public Task<SyncInfo> ReconcileAsync() => throw new NotSupportedException();

        public Task<SyncPreview> PreviewReconcileAsync() => throw new NotSupportedException();
    }
}
