using CohortSync.Client.Cli;
using CohortSync.Contracts;

namespace CohortSync.Client.Http;

// The grain interfaces the commands call, carried out over /api/v1 (routes in silo/Api/*Routes.cs). Ids are checked by
// the CLI before they get here and again by the API; they are escaped all the same.

internal sealed class HttpProject(ApiCaller api, string projectId) : IProjectGrain
{
    private readonly string _path = "projects/" + Uri.EscapeDataString(projectId);

    public Task<ProjectInfo> EnableAsync(EnableProjectRequest request) => api.PostAsync<ProjectInfo>(_path + "/enable",
        new { request.AmplitudeApiKey, request.AmplitudeSecretKey, request.AmplitudeRegion, request.AmplitudeUrl });

    public Task<ProjectInfo> DisableAsync() => api.PostAsync<ProjectInfo>(_path + "/disable");

    public Task<ProjectInfo> GetAsync() => api.GetAsync<ProjectInfo>(_path);

    public Task<ProjectInfo> ResetQuotaAsync() => api.PostAsync<ProjectInfo>(_path + "/quota/reset");

    public Task<DestinationInfo> AddDestinationAsync(AddDestinationRequest request, CancellationToken cancellationToken = default) =>
        api.PostAsync<DestinationInfo>(_path + "/destinations", new
        {
            request.Name, request.IterableApiKey, request.UserProperty, request.IterableRegion, request.IterableUrl,
            request.RequestsPerSecond, request.MaxRequestsPerSecond, request.Concurrency,
        }, cancellationToken);

    public Task<IReadOnlyList<DestinationInfo>> ListDestinationsAsync() => api.GetAsync<IReadOnlyList<DestinationInfo>>(_path + "/destinations");

    public Task<DestinationInfo> GetDestinationAsync(string destinationId) => api.GetAsync<DestinationInfo>(Destination(destinationId));

    public Task RemoveDestinationAsync(string destinationId) => api.SendAsync<object>(HttpMethod.Delete, Destination(destinationId), null, default);

    public Task<DestinationInfo> UpdateDestinationAsync(string destinationId, UpdateDestinationRequest request, CancellationToken cancellationToken = default) =>
        api.SendAsync<DestinationInfo>(HttpMethod.Put, Destination(destinationId),
            new { request.IterableApiKey, request.RequestsPerSecond, request.MaxRequestsPerSecond, request.Concurrency }, cancellationToken);

    public Task<SyncInfo> StartSyncAsync(StartSyncRequest request, CancellationToken cancellationToken = default) =>
        api.PostAsync<SyncInfo>(_path + "/syncs", new
        {
            request.CohortId,
            request.DestinationId,
            Cadence = request.Cadence.ToString(),
            Guard = request.Guard?.ToString(),
            ReconcileEvery = request.ReconcileEvery is { } every ? $"{every.TotalHours:0}h" : null,
            Adopt = request.Adopt == ListAdoption.Keep ? "keep" : "reconcile",
            DriftAudit = request.DriftAudit is null ? null : DriftAuditText.Describe(request.DriftAudit),
        }, cancellationToken);

    public Task<IReadOnlyList<SyncInfo>> ListSyncsAsync() => api.GetAsync<IReadOnlyList<SyncInfo>>(_path + "/syncs");

    public Task<SyncInfo> GetSyncAsync(string syncId) => api.GetAsync<SyncInfo>(_path + "/syncs/" + Uri.EscapeDataString(syncId));

    public async Task<WebhookTokenIssued> IssueWebhookTokenAsync(bool rotate)
    {
        var issued = await api.PostAsync<WebhookTokenAnswer>(_path + "/webhook-token", new { rotate });
        return new WebhookTokenIssued(projectId, issued.Path, issued.Token, rotate);
    }

    public Task<WebhookAccess> CheckWebhookTokenAsync(byte[] tokenHash) => throw NotACommand();

    public Task WebhookBatchStoredAsync(string cohortId) => throw NotACommand();

    private string Destination(string destinationId) => _path + "/destinations/" + Uri.EscapeDataString(destinationId);

    private static NotSupportedException NotACommand() => new("the silo's own call, not a command's");

    private sealed record WebhookTokenAnswer(string Path, string Token);
}

internal sealed class HttpSync(ApiCaller api, string projectId, string syncId) : ICohortSyncGrain
{
    private readonly string _path = $"projects/{Uri.EscapeDataString(projectId)}/syncs/{Uri.EscapeDataString(syncId)}";

    public Task<SyncInfo> GetStatusAsync() => api.GetAsync<SyncInfo>(_path);

    public Task<SyncInfo> RunNowAsync() => api.PostAsync<SyncInfo>(_path + "/run");

    public Task<SyncInfo> RunNowAsync(RunNowRequest request) =>
        api.PostAsync<SyncInfo>(_path + "/run" + (request.RetryRefused ? "?retryRefused=true" : ""));

    public Task<RefusedPage> GetRefusedAsync(string? after, int limit) =>
        api.GetAsync<RefusedPage>($"{_path}/refused?limit={limit}" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after)));

    public Task<SyncInfo> PauseAsync() => api.PostAsync<SyncInfo>(_path + "/pause");

    public Task<SyncInfo> ResumeAsync() => api.PostAsync<SyncInfo>(_path + "/resume");

    public Task<SyncInfo> StopAsync() => StopAsync(ListOnStop.Keep);

    public Task<SyncInfo> StopAsync(ListOnStop list) => api.PostAsync<SyncInfo>($"{_path}/stop?list={list.ToString().ToLowerInvariant()}");

    public Task<IReadOnlyList<RunRecord>> GetHistoryAsync(int limit) => api.GetAsync<IReadOnlyList<RunRecord>>($"{_path}/history?limit={limit}");

    public Task<SyncInfo> FollowRenameAsync(ListOnStop oldList) =>
        api.PostAsync<SyncInfo>(_path + "/update", new { followRename = true, list = oldList.ToString().ToLowerInvariant() });

    public Task<SyncInfo> ApproveAsync() => api.PostAsync<SyncInfo>(_path + "/approve");

    public Task<SyncInfo> RejectAsync() => api.PostAsync<SyncInfo>(_path + "/reject");

    public Task<SyncPreview> PreviewAsync() => api.GetAsync<SyncPreview>(_path + "/preview");

    public Task<SyncInfo> ReconcileAsync() => api.PostAsync<SyncInfo>(_path + "/reconcile");

    public Task<SyncPreview> PreviewReconcileAsync() => api.PostAsync<SyncPreview>(_path + "/reconcile?dryRun=true");
}

/// <summary>
/// <c>sync upload</c> over HTTP: each chunk the command reads is one request (<c>PUT …/upload/{uploadId}/chunks/{seq}</c>),
/// so a file of millions of lines is never one body; the commit is one more.
/// </summary>
internal sealed class HttpUpload(ApiCaller api, string projectId, string syncId) : IMemberUploadGrain
{
    private readonly string _path = $"projects/{Uri.EscapeDataString(projectId)}/syncs/{Uri.EscapeDataString(syncId)}/upload/";

    public Task PutChunkAsync(string uploadId, int seq, string lines, int count) =>
        api.SendAsync<object>(HttpMethod.Put, $"{_path}{Uri.EscapeDataString(uploadId)}/chunks/{seq}", new { lines, count }, default);

    public Task<SyncInfo> CommitAsync(string uploadId, int chunks, long members, bool run) =>
        api.PostAsync<SyncInfo>($"{_path}{Uri.EscapeDataString(uploadId)}/commit", new { chunks, members, run });
}
