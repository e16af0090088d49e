namespace CohortSync.Amplitude;

/// <summary>
/// Sends a fresh copy of the request on every attempt. The primary handler follows the download redirect by
/// rewriting the request it is given (URI set to the storage link, Authorization removed); a retry that re-sent
/// that same instance would go to a used link, or to Amplitude without credentials. With a copy per attempt,
/// every retry starts again at Amplitude and gets a fresh link.
/// </summary>
internal sealed class RequestCopyPerAttemptHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            return base.SendAsync(request, cancellationToken); // the cohort API has only bodiless GETs
        }

        var copy = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
        };
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in request.Options)
        {
            ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        }

        return base.SendAsync(copy, cancellationToken);
    }
}
