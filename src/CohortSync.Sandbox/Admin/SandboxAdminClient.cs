using System.Globalization;
using System.Net.Http.Json;
using CohortSync.Sandbox.Iterable;
using CohortSync.Sandbox.RequestLogging;

namespace CohortSync.Sandbox;

/// <summary>
/// Typed access to a running sandbox's /_admin endpoints, for the demo script and process-level tests.
/// The HttpClient's BaseAddress is the sandbox URL. Failures throw <see cref="HttpRequestException"/>.
/// (The Amplitude half lives in Amplitude/SandboxAdminClient.Amplitude.cs.)
/// </summary>
public sealed partial class SandboxAdminClient(HttpClient http)
{
    public async Task<IReadOnlyList<RequestLogEntry>> GetRequestsAsync(long? since = null, CancellationToken cancellationToken = default)
    {
        var path = since is { } sequence ? $"_admin/requests?since={sequence.ToString(CultureInfo.InvariantCulture)}" : "_admin/requests";
        return await http.GetFromJsonAsync<RequestLogEntry[]>(path, IterableEndpoints.Json, cancellationToken) ?? [];
    }

    public async Task ClearRequestsAsync(CancellationToken cancellationToken = default) =>
        await SendAsync(new HttpRequestMessage(HttpMethod.Delete, "_admin/requests"), cancellationToken);

    /// <summary>Every key, project, list and log entry is forgotten; faults go back to their start values.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default) =>
        await SendAsync(new HttpRequestMessage(HttpMethod.Post, "_admin/reset"), cancellationToken);

    public async Task<IterableFaults> GetIterableFaultsAsync(CancellationToken cancellationToken = default) =>
        await http.GetFromJsonAsync<IterableFaults>("_admin/faults", IterableEndpoints.Json, cancellationToken) ?? IterableFaults.None;

    public async Task SetIterableFaultsAsync(IterableFaults faults, CancellationToken cancellationToken = default) =>
        await SendAsync(new HttpRequestMessage(HttpMethod.Put, "_admin/faults") { Content = JsonContent.Create(faults, options: IterableEndpoints.Json) }, cancellationToken);

    /// <summary>Registers a key; with <paramref name="projectId"/> it joins that project. Returns the project id.</summary>
    public async Task<long> AddIterableKeyAsync(string apiKey, long? projectId = null, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync(
            "_admin/iterable/keys", new IterableAdminEndpoints.AddKeyRequest(apiKey, projectId), IterableEndpoints.Json, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<ProjectIdResponse>(IterableEndpoints.Json, cancellationToken);
        return body?.ProjectId ?? throw new HttpRequestException("The sandbox answered without a project id.");
    }

    public async Task RevokeIterableKeyAsync(string apiKey, CancellationToken cancellationToken = default) =>
        await SendAsync(Keyed(HttpMethod.Delete, "_admin/iterable/keys", apiKey), cancellationToken);

    public async Task<IReadOnlyList<SandboxListInfo>> GetIterableListsAsync(string apiKey, CancellationToken cancellationToken = default) =>
        await ReadAsync<SandboxListInfo[]>(Keyed(HttpMethod.Get, "_admin/iterable/lists", apiKey), cancellationToken) ?? [];

    public async Task<long> CreateIterableListAsync(string apiKey, string name, CancellationToken cancellationToken = default)
    {
        var request = Keyed(HttpMethod.Post, "_admin/iterable/lists", apiKey);
        request.Content = JsonContent.Create(new IterableAdminEndpoints.CreateListAdminRequest(name), options: IterableEndpoints.Json);
        var body = await ReadAsync<ListIdResponse>(request, cancellationToken);
        return body?.ListId ?? throw new HttpRequestException("The sandbox answered without a list id.");
    }

    public async Task<IReadOnlyList<string>> GetIterableListMembersAsync(string apiKey, long listId, CancellationToken cancellationToken = default) =>
        await ReadAsync<string[]>(Keyed(HttpMethod.Get, $"_admin/iterable/lists/{listId.ToString(CultureInfo.InvariantCulture)}/members", apiKey), cancellationToken) ?? [];

    public async Task AddIterableListMembersAsync(string apiKey, long listId, IReadOnlyList<string> userIds, CancellationToken cancellationToken = default)
    {
        var request = Keyed(HttpMethod.Post, $"_admin/iterable/lists/{listId.ToString(CultureInfo.InvariantCulture)}/members", apiKey);
        request.Content = JsonContent.Create(new IterableAdminEndpoints.UserIdsRequest(userIds), options: IterableEndpoints.Json);
        await SendAsync(request, cancellationToken);
    }

    /// <summary>Takes members out of the list as someone in Iterable's UI would (drift).</summary>
    public async Task RemoveIterableListMembersAsync(string apiKey, long listId, IReadOnlyList<string> userIds, CancellationToken cancellationToken = default)
    {
        var request = Keyed(HttpMethod.Post, $"_admin/iterable/lists/{listId.ToString(CultureInfo.InvariantCulture)}/members/remove", apiKey);
        request.Content = JsonContent.Create(new IterableAdminEndpoints.UserIdsRequest(userIds), options: IterableEndpoints.Json);
        await SendAsync(request, cancellationToken);
    }

    /// <summary>Deletes the list as someone in Iterable's UI would.</summary>
    public async Task DeleteIterableListAsync(string apiKey, long listId, CancellationToken cancellationToken = default) =>
        await SendAsync(Keyed(HttpMethod.Delete, $"_admin/iterable/lists/{listId.ToString(CultureInfo.InvariantCulture)}", apiKey), cancellationToken);

    public async Task MarkIterableUsersAsync(string apiKey, IterableUserMark mark, IReadOnlyList<string> userIds, CancellationToken cancellationToken = default)
    {
        var request = Keyed(HttpMethod.Post, $"_admin/iterable/users/{mark.ToPathSegment()}", apiKey);
        request.Content = JsonContent.Create(new IterableAdminEndpoints.UserIdsRequest(userIds), options: IterableEndpoints.Json);
        await SendAsync(request, cancellationToken);
    }

    private static HttpRequestMessage Keyed(HttpMethod method, string path, string apiKey)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Api-Key", apiKey);
        return request;
    }

    private async Task SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, cancellationToken);
            await EnsureSuccessAsync(response, cancellationToken);
        }
    }

    private async Task<T?> ReadAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, cancellationToken);
            await EnsureSuccessAsync(response, cancellationToken);
            return await response.Content.ReadFromJsonAsync<T>(IterableEndpoints.Json, cancellationToken);
        }
    }

    /// <summary>Like EnsureSuccessStatusCode, but keeps the sandbox's explanation in the message.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        throw new HttpRequestException(
            $"Sandbox admin call {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}: {body}",
            null,
            response.StatusCode);
    }

    private sealed record ProjectIdResponse(long ProjectId);

    private sealed record ListIdResponse(long ListId);
}
