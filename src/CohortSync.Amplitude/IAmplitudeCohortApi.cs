using Refit;

namespace CohortSync.Amplitude;

/// <summary>
/// Amplitude's Behavioral Cohorts REST API. Every call returns the raw response so the client decides what each
/// status means (202 is "still running" for the status call) and no Refit exception carrying the request,
/// and with it the Authorization header, ever escapes.
/// </summary>
public interface IAmplitudeCohortApi
{
    [Get("/api/3/cohorts")]
    Task<HttpResponseMessage> ListCohortsAsync(CancellationToken cancellationToken);

    /// <summary>Starts an export job. Counts toward the monthly download quota.</summary>
    /// <param name="props">1 to add user properties to the file; null to leave the query parameter out.</param>
    /// <param name="propKeys">Sent as repeated <c>propKeys=</c> parameters; null to leave them out.</param>
    [Get("/api/5/cohorts/request/{cohortId}")]
    Task<HttpResponseMessage> RequestCohortAsync(
        string cohortId,
        [AliasAs("props")] int? props,
        [AliasAs("propKeys"), Query(CollectionFormat.Multi)] IEnumerable<string>? propKeys,
        CancellationToken cancellationToken);

    [Get("/api/5/cohorts/request-status/{requestId}")]
    Task<HttpResponseMessage> GetRequestStatusAsync(string requestId, CancellationToken cancellationToken);

    /// <summary>The file itself, or a redirect to a short-lived pre-signed URL that the handler follows.</summary>
    [Get("/api/5/cohorts/request/{requestId}/file")]
    Task<HttpResponseMessage> DownloadFileAsync(string requestId, CancellationToken cancellationToken);
}
