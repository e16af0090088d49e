using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Polly.Timeout;

namespace CohortSync.Amplitude;

/// <summary>
/// One Amplitude project's view of the Behavioral Cohorts API: find a cohort, request an export, wait for it,
/// open the file. Created per project by <see cref="IAmplitudeClientFactory"/>; retries of 5xx, 429 and timeouts
/// happen below, in the HTTP pipeline, so what reaches this class is the final answer.
/// </summary>
public sealed class AmplitudeCohortClient
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1); // as Amplitude's own client
    private const string JobInProgress = "JOB INPROGRESS";
    private const string JobCompleted = "JOB COMPLETED";

    private readonly IAmplitudeCohortApi _api;
    private readonly string _keyHint;

    /// <param name="apiKey">Only its last four characters are kept, to name the key in error messages.</param>
    public AmplitudeCohortClient(IAmplitudeCohortApi api, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(apiKey);
        _api = api;
        _keyHint = apiKey.Length <= 4 ? "…" : "…" + apiKey[^4..];
    }

    /// <summary>The cohort as listed by <c>/api/3/cohorts</c>, or null when the project has no such cohort.</summary>
    public async Task<AmplitudeCohort?> FindCohortAsync(string cohortId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cohortId);
        using var response = await SendAsync(() => _api.ListCohortsAsync(cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await FailureAsync(response, "the cohort list", cancellationToken).ConfigureAwait(false);
        }

        var list = await ReadJsonAsync(response, AmplitudeJson.Default.CohortListResponse, cancellationToken)
            .ConfigureAwait(false);
        foreach (var item in list?.Cohorts ?? [])
        {
            if (AsString(item.Id) == cohortId)
            {
                return new AmplitudeCohort(
                    cohortId, item.Name ?? "", AsLong(item.Size) ?? 0, item.Archived ?? false, item.Published ?? false,
                    AsLong(item.LastComputed), AsLong(item.AppId), item.Description, item.Type);
            }
        }

        return null;
    }

    /// <summary>Starts an export of the cohort and returns Amplitude's request id. Counts toward the monthly quota.</summary>
    /// <param name="propertyKey">The user property mapped to the identity; null when <c>user_id</c> is used,
    /// in which case no properties are requested (they make Amplitude's job slower).</param>
    public async Task<string> RequestCohortAsync(
        string cohortId, string? propertyKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cohortId);
        int? props = propertyKey is null ? null : 1;
        string[]? propKeys = propertyKey is null ? null : [propertyKey];
        using var response = await SendAsync(
                () => _api.RequestCohortAsync(cohortId, props, propKeys, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.OK))
        {
            throw await FailureAsync(response, $"cohort {cohortId}", cancellationToken).ConfigureAwait(false);
        }

        var body = await ReadJsonAsync(response, AmplitudeJson.Default.CohortRequestResponse, cancellationToken)
            .ConfigureAwait(false);
        return string.IsNullOrEmpty(body?.RequestId)
            ? throw new AmplitudeException($"Amplitude accepted the export of cohort {cohortId} but sent no request_id.")
            : body.RequestId;
    }

    /// <summary>Polls the export job until Amplitude reports it completed.</summary>
    /// <exception cref="AmplitudeJobFailedException">The job reported any status other than in progress or completed.</exception>
    /// <exception cref="AmplitudeTransientException">The job did not complete within <paramref name="timeout"/>.</exception>
    public async Task WaitUntilReadyAsync(
        string requestId, TimeSpan pollInterval, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        ArgumentOutOfRangeException.ThrowIfLessThan(pollInterval, TimeSpan.Zero);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                if (await IsCompletedAsync(requestId, deadline.Token).ConfigureAwait(false))
                {
                    return;
                }

                await Task.Delay(pollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new AmplitudeTransientException($"export job {requestId} did not complete within {timeout}");
        }
    }

    /// <summary>
    /// Opens the exported CSV as a stream straight off the network (gzip already undone, redirect already
    /// followed without the Authorization header). Dispose it to release the connection. A connection lost while
    /// reading surfaces as <see cref="AmplitudeTransientException"/>.
    /// </summary>
    public async Task<Stream> OpenFileAsync(string requestId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        var response = await SendAsync(() => _api.DownloadFileAsync(requestId, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        try
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                // After a redirect the answer is the storage link's, not Amplitude's: a 403 there means an expired
                // link, not a bad key, and asking Amplitude again yields a fresh one.
                var fromAmplitude = response.RequestMessage?.RequestUri?.AbsolutePath
                    .EndsWith($"/api/5/cohorts/request/{Uri.EscapeDataString(requestId)}/file", StringComparison.Ordinal) ?? true;
                throw fromAmplitude
                    ? await FailureAsync(response, $"the file of export {requestId}", cancellationToken).ConfigureAwait(false)
                    : new AmplitudeTransientException($"the download link of export {requestId} answered HTTP {(int)response.StatusCode}");
            }

            var content = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new AmplitudeFileStream(response, content);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<bool> IsCompletedAsync(string requestId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => _api.GetRequestStatusAsync(requestId, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.OK))
        {
            throw await FailureAsync(response, $"export {requestId}", cancellationToken).ConfigureAwait(false);
        }

        var body = await ReadJsonAsync(response, AmplitudeJson.Default.RequestStatusResponse, cancellationToken)
            .ConfigureAwait(false);
        return body?.AsyncStatus switch
        {
            JobCompleted => true,
            JobInProgress => false,
            var other => throw new AmplitudeJobFailedException(requestId, other ?? "(none)"),
        };
    }

    /// <summary>Turns what the pipeline gives up on (after its retries) into the client's exception types.</summary>
    private static async Task<HttpResponseMessage> SendAsync(
        Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new AmplitudeTransientException("timed out", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AmplitudeTransientException("timed out", e);
        }
        catch (HttpRequestException e)
        {
            throw new AmplitudeTransientException($"connection failed ({e.HttpRequestError})", e);
        }
    }

    private async Task<Exception> FailureAsync(HttpResponseMessage response, string subject, CancellationToken cancellationToken)
    {
        var code = (int)response.StatusCode;
        var details = await ReadErrorDetailsAsync(response, cancellationToken).ConfigureAwait(false);
        if (code is >= 400 and < 500 && AmplitudeQuotaExceededException.IsQuotaRefusal(details))
            return new AmplitudeQuotaExceededException($"Amplitude refused {subject}: the monthly cohort download quota is used up (HTTP {code}){details}.");
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new AmplitudeAuthException(
                $"Amplitude refused the API key {_keyHint} with its secret key (HTTP {code}) when asked for {subject}."),
            HttpStatusCode.NotFound => new AmplitudeCohortNotFoundException(
                subject, $"Amplitude knows no {subject} in this project (HTTP 404){details}."),
            HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests => new AmplitudeTransientException(
                $"HTTP {code} for {subject}{details}"),
            _ when code >= 500 => new AmplitudeTransientException($"HTTP {code} for {subject}{details}"),
            _ => new AmplitudeException($"Amplitude answered HTTP {code} for {subject}{details}."),
        };
    }

    /// <summary>Amplitude's own error text (e.g. "props timed out"), never the raw body, which could be anything.</summary>
    private static async Task<string> ReadErrorDetailsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var error = await response.Content
                .ReadFromJsonAsync(AmplitudeJson.Default.AmplitudeErrorResponse, cancellationToken).ConfigureAwait(false);
            var text = error?.Error?.Metadata?.Details ?? error?.Error?.Message;
            return string.IsNullOrWhiteSpace(text) ? "" : $": {(text.Length > 200 ? text[..200] + "…" : text)}";
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or HttpRequestException or IOException)
        {
            return "";
        }
    }

    private static async Task<T?> ReadJsonAsync<T>(
        HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type,
        CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new AmplitudeException($"Amplitude sent a body that is not the expected JSON ({typeof(T).Name}).", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new AmplitudeTransientException("connection failed while reading the answer", e);
        }
    }

    private static string? AsString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static long? AsLong(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var number) => number,
        JsonValueKind.String when long.TryParse(value.GetString(), out var number) => number,
        _ => null,
    };
}
