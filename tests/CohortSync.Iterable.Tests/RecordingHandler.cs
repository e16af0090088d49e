using System.Collections.Concurrent;

namespace CohortSync.Iterable.Tests;

/// <summary>One request as it left the client (after the resilience pipeline, so every attempt shows).</summary>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string[]> Headers, string? ContentType, string? Body);

/// <summary>Captures the wire traffic of an HttpClient for the contract checks.</summary>
public sealed class RecordingHandler : DelegatingHandler
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string? body = null;
        string? contentType = null;
        if (request.Content is not null)
        {
            // Buffer first so reading the body here does not consume what is sent.
            await request.Content.LoadIntoBufferAsync(cancellationToken);
            body = await request.Content.ReadAsStringAsync(cancellationToken);
            contentType = request.Content.Headers.ContentType?.MediaType;
        }

        var headers = request.Headers.ToDictionary(header => header.Key, header => header.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, headers, contentType, body));
        return await base.SendAsync(request, cancellationToken);
    }
}
