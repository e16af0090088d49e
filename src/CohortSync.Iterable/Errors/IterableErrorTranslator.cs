using System.Net;
using System.Text.Json;
using Polly.Timeout;
using Refit;

namespace CohortSync.Iterable.Errors;

/// <summary>Turns what Refit and the HTTP stack throw into the typed <see cref="IterableException"/>s.</summary>
internal static class IterableErrorTranslator
{
    private const int MaxQuotedBodyLength = 300;

    /// <summary>Returns the exception to throw instead of <paramref name="exception"/>, or null to let it pass (caller cancellation).</summary>
    public static Exception? Translate(Exception exception, string operation, long? listId, string apiKey, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        return exception switch
        {
            ApiException api => FromResponse(api, operation, listId, apiKey),
            ApiRequestException { InnerException: { } transport } => FromTransport(transport, operation, cancellationToken),
            _ => FromTransport(exception, operation, cancellationToken),
        };
    }

    private static Exception? FromTransport(Exception exception, string operation, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        return exception switch
        {
            HttpRequestException http => new IterableTransientException(
                $"Iterable {operation} failed: could not reach Iterable ({http.HttpRequestError}).", null, http),
            TimeoutRejectedException or OperationCanceledException or TimeoutException => new IterableTransientException(
                $"Iterable {operation} failed: timed out.", null, exception),
            _ => new IterableTransientException($"Iterable {operation} failed: {exception.GetType().Name}.", null, exception),
        };
    }

    private static Exception FromResponse(ApiException api, string operation, long? listId, string apiKey)
    {
        var status = api.StatusCode;
        var (code, msg) = ReadEnvelope(api.Content);
        msg = msg is null ? null : Redact(msg, apiKey);
        var detail = string.Join(": ", new[] { code, msg }.Where(part => !string.IsNullOrEmpty(part)));
        var text = $"Iterable {operation} failed: HTTP {(int)status}{(detail.Length > 0 ? " " + detail : "")}";

        if ((int)status is >= 200 and < 300)
        {
            return new IterableRequestException($"Iterable {operation} answered HTTP {(int)status} with a body the client could not read.", status, code, msg);
        }

        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || code == "BadApiKey")
        {
            return new IterableAuthException(text, status, code);
        }

        if (status == HttpStatusCode.TooManyRequests)
        {
            return new IterableRateLimitedException(text, RetryAfter(api), code ?? "RateLimitExceeded");
        }

        if (status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound
            && msg is not null && msg.Contains("invalidListId", StringComparison.OrdinalIgnoreCase))
        {
            return new IterableListNotFoundException(text, listId ?? 0, status, code);
        }

        if ((int)status >= 500 || status == HttpStatusCode.RequestTimeout)
        {
            return new IterableTransientException(text, status);
        }

        return new IterableRequestException(text, status, code, msg);
    }

    /// <summary>Iterable's envelope when the body is JSON; otherwise the start of the text (some 429s are plain text).</summary>
    private static (string? Code, string? Msg) ReadEnvelope(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;

            // Text endpoints may wrap the JSON envelope in a JSON string.
            if (root.ValueKind == JsonValueKind.String)
            {
                return ReadEnvelope(root.GetString());
            }

            if (root.ValueKind == JsonValueKind.Object)
            {
                return (StringProperty(root, "code"), StringProperty(root, "msg"));
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall through to quoting the text.
        }

        var trimmed = body.Trim();
        return (null, trimmed.Length <= MaxQuotedBodyLength ? trimmed : trimmed[..MaxQuotedBodyLength] + "…");
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static TimeSpan? RetryAfter(ApiException api)
    {
        var header = api.Headers?.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>Belt and braces: an echoed key never reaches an exception message.</summary>
    private static string Redact(string text, string apiKey) =>
        apiKey.Length > 0 && text.Contains(apiKey, StringComparison.Ordinal) ? text.Replace(apiKey, "[redacted]", StringComparison.Ordinal) : text;
}
