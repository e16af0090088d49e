using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using CohortSync.Client.Cli;
using CohortSync.Client.Cluster;
using CohortSync.Client.Input;
using CohortSync.Contracts;

namespace CohortSync.Client.Http;

/// <summary>
/// <c>--api URL</c>: the commands reach the cluster through its HTTP API (<c>/api/v1</c>) instead of Orleans gateways,
/// with the bearer token from <c>COHORTSYNC_TOKEN</c>. The grain interfaces the commands use are carried out as API calls;
/// problem details come back as <see cref="CohortSyncException"/> with the same code, so output and exit codes match.
/// </summary>
public sealed class HttpApiConnector(Uri api, string token, HttpMessageHandler? handler = null) : IClusterConnector
{
    public const string ApiVariable = "COHORTSYNC_API";
    public const string TokenVariable = "COHORTSYNC_TOKEN";

    /// <summary>The API's address as a "gateway", for the same "cannot reach" messages.</summary>
    public GatewayAddress Address { get; } = new(api.Host, api.Port);

    /// <summary>
    /// Reads <c>--api</c> (else <c>COHORTSYNC_API</c>); null when neither is given. Only scheme, host and port: a path,
    /// query or userinfo is refused (secrets never go in URLs). The token comes from <c>COHORTSYNC_TOKEN</c> only.
    /// </summary>
    public static HttpApiConnector? Resolve(string? named, CliEnvironment environment)
    {
        var text = string.IsNullOrWhiteSpace(named) ? environment.Variable(ApiVariable) : named.Trim();
        if (text is null) return null;
        var api = ParseUrl(text);
        var token = environment.Variable(TokenVariable)
            ?? throw new UsageException($"--api needs an API token in {TokenVariable} (create one with 'cohortsync token create' against the cluster)");
        return new HttpApiConnector(api, token);
    }

    public static Uri ParseUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            throw new UsageException($"--api '{Redact(text)}' is not an http:// or https:// URL");
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.AbsolutePath is not ("/" or ""))
            throw new UsageException("--api takes only scheme, host and port (https://host:8080): no path, query string or user info; the token comes from "
                + TokenVariable);
        return new Uri($"{uri.Scheme}://{uri.Authority}/");
    }

    // A refused URL may carry a secret: the message names its scheme and host only.
    private static string Redact(string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? $"{uri.Scheme}://{uri.Host}/…" : "…";

    public Task<IClusterConnection> ConnectAsync(IReadOnlyList<GatewayAddress> gateways, CancellationToken cancellationToken)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = api;
        http.Timeout = Timeout.InfiniteTimeSpan;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return Task.FromResult<IClusterConnection>(new HttpApiConnection(new ApiCaller(http, Address)));
    }
}

/// <summary>One command's calls to the API.</summary>
internal sealed class HttpApiConnection(ApiCaller api) : IClusterConnection
{
    public CancellationToken Lost => CancellationToken.None;

    public IProjectGrain Project(string projectId) => new HttpProject(api, projectId);

    public ICohortSyncGrain Sync(string projectId, string syncId) => new HttpSync(api, projectId, syncId);

    public IMemberUploadGrain Upload(string projectId, string syncId) => new HttpUpload(api, projectId, syncId);

    public IApiTokenGrain Tokens() =>
        throw new UsageException("API tokens are not managed over the HTTP API (a token cannot mint tokens): run token commands against the cluster (--gateway)");

    public ValueTask DisposeAsync()
    {
        api.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Sends a request and reads its answer, or turns the failure into what the Orleans path would throw.</summary>
internal sealed class ApiCaller(HttpClient http, GatewayAddress address) : IDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public Task<T> GetAsync<T>(string path, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Get, path, null, cancellationToken);

    public Task<T> PostAsync<T>(string path, object? body = null, CancellationToken cancellationToken = default) =>
        SendAsync<T>(HttpMethod.Post, path, body, cancellationToken);

    public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, "api/v1/" + path);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ClusterUnreachableException([address], $"the HTTP API did not answer ({Describe(e)})", "check the --api URL and that the silo's HTTP port is open");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode) throw await RefusalAsync(response, method, cancellationToken);
            // A call whose answer the command does not use (a chunk stored, a destination removed) reads none.
            if (typeof(T) == typeof(object)) return default!;
            return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
        }
    }

    private static string Describe(HttpRequestException e) => e.InnerException switch
    {
        System.Security.Authentication.AuthenticationException => "the TLS handshake failed: " + e.InnerException.Message,
        System.Net.Sockets.SocketException s => s.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionRefused ? "connection refused" : s.Message,
        { } inner => inner.Message,
        null => e.Message,
    };

    private static async Task<Exception> RefusalAsync(HttpResponseMessage response, HttpMethod method, CancellationToken cancellationToken)
    {
        Problem? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<Problem>(Json, cancellationToken);
        }
        catch (JsonException)
        {
        }
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new CohortSyncException("unauthorized",
                $"the API refused the token in {HttpApiConnector.TokenVariable}: it is missing, unknown or revoked"),
            HttpStatusCode.Forbidden => new CohortSyncException("forbidden",
                $"the token in {HttpApiConnector.TokenVariable} is read-only: a read-only token cannot change anything ({method} refused)"),
            _ when problem is { Code: { Length: > 0 } code } => new CohortSyncException(code, problem.Detail ?? problem.Title ?? code),
            _ => new CohortSyncException("cluster_failed", $"the HTTP API answered {(int)response.StatusCode} {response.ReasonPhrase}"),
        };
    }

    public void Dispose() => http.Dispose();

    private sealed record Problem(string? Title, string? Detail, string? Code);
}
