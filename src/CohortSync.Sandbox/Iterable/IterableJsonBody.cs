using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CohortSync.Sandbox.Iterable;

/// <summary>
/// The parsed JSON body of an Iterable POST, read once before faults are drawn so that even a faulted
/// request's log entry shows what it carried. <see cref="Error"/> is set when the body is not usable JSON.
/// </summary>
internal sealed record IterableJsonBody(JsonElement? Root, string? Error)
{
    public static async Task<IterableJsonBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return new IterableJsonBody(null, "Content-Type must be application/json");
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            return new IterableJsonBody(document.RootElement.Clone(), null);
        }
        catch (JsonException exception)
        {
            return new IterableJsonBody(null, "Malformed JSON: " + exception.Message);
        }
    }

    /// <summary>The body as an object, or a 400 BadJsonBody.</summary>
    public JsonElement RequireObject()
    {
        if (Error is not null)
        {
            throw IterableBadRequest.Malformed(Error);
        }

        if (Root is not { ValueKind: JsonValueKind.Object } root)
        {
            throw IterableBadRequest.Malformed("The body must be a JSON object");
        }

        return root;
    }
}

/// <summary>
/// Strict reading of Iterable request objects: unknown fields, nulls and wrong types are refused
/// (Iterable may be more lenient; the strictness keeps the client honest about the documented shapes).
/// </summary>
internal static class JsonFields
{
    public static void RejectUnknown(JsonElement obj, string where, params string[] allowed)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                throw IterableBadRequest.Malformed($"Unknown field '{property.Name}' in {where}");
            }
        }
    }

    public static long RequiredInt64(JsonElement obj, string name) =>
        OptionalInt64(obj, name) ?? throw IterableBadRequest.Params($"Missing required field '{name}'");

    public static long? OptionalInt64(JsonElement obj, string name)
    {
        if (!Present(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw IterableBadRequest.Malformed($"Field '{name}' must be an integer (int64)");
    }

    public static string? OptionalString(JsonElement obj, string name)
    {
        if (!Present(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw IterableBadRequest.Malformed($"Field '{name}' must be a string");
    }

    public static bool? OptionalBool(JsonElement obj, string name)
    {
        if (!Present(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw IterableBadRequest.Malformed($"Field '{name}' must be a boolean"),
        };
    }

    public static JsonElement? OptionalObject(JsonElement obj, string name)
    {
        if (!Present(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? value : throw IterableBadRequest.Malformed($"Field '{name}' must be an object");
    }

    public static JsonElement RequiredArray(JsonElement obj, string name)
    {
        if (!Present(obj, name, out var value))
        {
            throw IterableBadRequest.Params($"Missing required field '{name}'");
        }

        return value.ValueKind == JsonValueKind.Array ? value : throw IterableBadRequest.Malformed($"Field '{name}' must be an array");
    }

    private static bool Present(JsonElement obj, string name, out JsonElement value)
    {
        if (!obj.TryGetProperty(name, out value))
        {
            return false;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            throw IterableBadRequest.Malformed($"Field '{name}' is null; leave optional fields out instead");
        }

        return true;
    }
}
