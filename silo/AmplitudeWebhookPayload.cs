using System.Globalization;
using System.Text.Json;
using CohortSync.Storage.Webhooks;

namespace CohortSync.Silo;

/// <summary>
/// Reads one Amplitude cohort webhook body (<c>{cohort_name, cohort_id, in_cohort, computed_time, message_id,
/// users:[{user_id, user_properties}]}</c>) into a batch to store. A body it cannot use gives a one-sentence reason;
/// a member without a usable <c>user_id</c> is skipped and counted, not a reason to refuse the batch.
/// </summary>
public static class AmplitudeWebhookPayload
{
    public const int MaxIdLength = 200;

    public sealed record Parsed(WebhookBatch Batch, int Skipped);

    public static bool TryRead(ReadOnlyMemory<byte> body, string projectId, DateTimeOffset receivedAt, out Parsed? parsed, out string? error)
    {
        parsed = null;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            error = Read(document.RootElement, projectId, receivedAt, out parsed);
        }
        catch (JsonException)
        {
            error = "The body is not valid JSON.";
        }
        return error is null;
    }

    private static string? Read(JsonElement root, string projectId, DateTimeOffset receivedAt, out Parsed? parsed)
    {
        parsed = null;
        if (root.ValueKind != JsonValueKind.Object) return "The body must be a JSON object.";
        if (Text(root, "message_id") is not { Length: > 0 and <= MaxIdLength } messageId)
            return $"The batch has no message_id (a string of at most {MaxIdLength} characters).";
        if (Text(root, "cohort_id") is not { Length: > 0 and <= MaxIdLength } cohortId)
            return $"The batch has no cohort_id (a string of at most {MaxIdLength} characters).";
        if (!TryInCohort(root, out var inCohort)) return "The batch has no in_cohort (true or false).";
        if (!TryComputedTime(root, out var computedTime)) return "The batch has no computed_time (epoch seconds).";
        if (!root.TryGetProperty("users", out var users) || users.ValueKind != JsonValueKind.Array)
            return "The batch has no users array.";

        var members = new List<WebhookMember>(users.GetArrayLength());
        var skipped = 0;
        foreach (var user in users.EnumerateArray())
        {
            var userId = user.ValueKind == JsonValueKind.Object ? Text(user, "user_id") : null;
            if (string.IsNullOrEmpty(userId) || userId.Length > SqlWebhookStore.MaxUserIdLength)
            {
                skipped++;
                continue;
            }
            var properties = user.TryGetProperty("user_properties", out var p) && p.ValueKind == JsonValueKind.Object ? p.GetRawText() : null;
            members.Add(new WebhookMember(userId, properties));
        }

        var cohortName = Text(root, "cohort_name");
        parsed = new Parsed(new WebhookBatch(projectId, messageId, cohortId, cohortName, inCohort, computedTime, receivedAt, members), skipped);
        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static bool TryInCohort(JsonElement root, out bool inCohort)
    {
        inCohort = false;
        if (!root.TryGetProperty("in_cohort", out var value)) return false;
        switch (value.ValueKind)
        {
            case JsonValueKind.True: inCohort = true; return true;
            case JsonValueKind.False: return true;
            case JsonValueKind.String: return bool.TryParse(value.GetString(), out inCohort);
            default: return false;
        }
    }

    /// <summary>Amplitude sends epoch seconds as a string ("1700000000"); kept in milliseconds, fractions included.</summary>
    private static bool TryComputedTime(JsonElement root, out long milliseconds)
    {
        milliseconds = 0;
        if (Text(root, "computed_time") is not { } text
            || !decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || seconds > 100_000_000_000m)
            return false;
        milliseconds = (long)decimal.Truncate(seconds * 1000);
        return true;
    }
}
