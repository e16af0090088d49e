using System.Net.Http.Headers;
using System.Text;
using Refit;

namespace CohortSync.Amplitude;

/// <summary>Makes a client for one Amplitude project; credentials differ per project, the HTTP pipeline is shared.</summary>
public interface IAmplitudeClientFactory
{
    AmplitudeCohortClient Create(Uri baseUrl, string apiKey, string secretKey);
}

internal sealed class AmplitudeClientFactory(IHttpClientFactory httpClients) : IAmplitudeClientFactory
{
    public AmplitudeCohortClient Create(Uri baseUrl, string apiKey, string secretKey)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        ArgumentException.ThrowIfNullOrEmpty(secretKey);

        var http = httpClients.CreateClient(AmplitudeClientOptions.HttpClientName);
        http.BaseAddress = baseUrl;
        // On the client, not in a delegating handler: the primary handler drops it when it follows the download
        // redirect, so the pre-signed storage URL never sees the project's credentials.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{apiKey}:{secretKey}")));
        return new AmplitudeCohortClient(RestService.For<IAmplitudeCohortApi>(http), apiKey);
    }
}
