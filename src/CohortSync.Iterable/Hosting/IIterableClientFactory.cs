using CohortSync.Iterable.Delivery;

namespace CohortSync.Iterable.Hosting;

/// <summary>Makes a list client for one destination (base URL + key) over the shared "iterable" HttpClient.</summary>
public interface IIterableClientFactory
{
    /// <param name="gate">Paces the client's requests and retries 429s; null for none.</param>
    IterableListClient Create(Uri baseUrl, string apiKey, IIterableRateGate? gate = null);
}

internal sealed class IterableClientFactory(IHttpClientFactory httpClientFactory) : IIterableClientFactory
{
    public IterableListClient Create(Uri baseUrl, string apiKey, IIterableRateGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (!baseUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("The Iterable base URL must be absolute.", nameof(baseUrl));
        }

        // CreateClient hands out a fresh HttpClient over pooled handlers, so setting its BaseAddress is local to this client.
        var http = httpClientFactory.CreateClient(IterableServiceCollectionExtensions.HttpClientName);
        http.BaseAddress = baseUrl;
        return new IterableListClient(http, apiKey, gate);
    }
}
