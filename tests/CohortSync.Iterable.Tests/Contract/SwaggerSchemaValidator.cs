using System.Text.Json;

namespace CohortSync.Iterable.Tests.Contract;

/// <summary>
/// Checks a JSON value against a Swagger 2.0 schema: types and integer formats, required fields, enums,
/// array items, uniqueItems, and (for objects that declare properties) no fields the schema does not name.
/// </summary>
public sealed class SwaggerSchemaValidator(IterableOpenApiDocument document)
{
    /// <summary>
    /// Where the document is known to be wrong. ListDetails.createdAt is declared int32 but carries epoch
    /// milliseconds (e.g. 1625086174615 in recorded traffic), which cannot fit; it is checked as an integer only.
    /// </summary>
    private static readonly HashSet<string> Int32RangeNotEnforced = new(StringComparer.Ordinal) { "ListDetails.createdAt" };

    public enum Direction
    {
        /// <summary>What our client sends: nulls are errors (optional fields must be left out).</summary>
        Request,

        /// <summary>What the server answers: null is accepted for optional fields (Iterable sends "params": null).</summary>
        Response,
    }

    public IReadOnlyList<string> Validate(JsonElement schema, JsonElement value, Direction direction, string at = "$")
    {
        var problems = new List<string>();
        Check(schema, value, direction, at, context: null, problems);
        return problems;
    }

    /// <param name="context">The definition being checked, or "Definition.field" for one of its fields.</param>
    private void Check(JsonElement schema, JsonElement value, Direction direction, string at, string? context, List<string> problems)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            context = reference.GetString()!.Split('/')[^1];
            schema = document.Resolve(schema);
        }

        var type = schema.TryGetProperty("type", out var declared) ? declared.GetString() : (schema.TryGetProperty("properties", out _) ? "object" : null);
        switch (type)
        {
            case "object":
                CheckObject(schema, value, direction, at, context, problems);
                break;
            case "array":
                if (value.ValueKind != JsonValueKind.Array)
                {
                    problems.Add($"{at}: expected an array, got {value.ValueKind}");
                    break;
                }

                var items = schema.TryGetProperty("items", out var itemSchema) ? itemSchema : default;
                var index = 0;
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var item in value.EnumerateArray())
                {
                    if (items.ValueKind == JsonValueKind.Object)
                    {
                        Check(items, item, direction, $"{at}[{index}]", null, problems);
                    }

                    if (schema.TryGetProperty("uniqueItems", out var unique) && unique.GetBoolean() && !seen.Add(item.GetRawText()))
                    {
                        problems.Add($"{at}[{index}]: duplicate item in a uniqueItems array");
                    }

                    index++;
                }

                break;
            case "string":
                if (value.ValueKind != JsonValueKind.String)
                {
                    problems.Add($"{at}: expected a string, got {value.ValueKind}");
                }
                else if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(option => option.GetString() == value.GetString()))
                {
                    problems.Add($"{at}: '{value.GetString()}' is not one of the enum values");
                }

                break;
            case "integer":
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
                {
                    problems.Add($"{at}: expected an integer, got {value.GetRawText()}");
                }
                else if (schema.TryGetProperty("format", out var format) && format.GetString() == "int32"
                         && (number < int.MinValue || number > int.MaxValue) && !Int32RangeNotEnforced.Contains(context ?? ""))
                {
                    problems.Add($"{at}: {number} does not fit int32");
                }

                break;
            case "number":
                if (value.ValueKind != JsonValueKind.Number)
                {
                    problems.Add($"{at}: expected a number, got {value.ValueKind}");
                }

                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    problems.Add($"{at}: expected a boolean, got {value.ValueKind}");
                }

                break;
        }
    }

    private void CheckObject(JsonElement schema, JsonElement value, Direction direction, string at, string? definitionName, List<string> problems)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{at}: expected an object, got {value.ValueKind}");
            return;
        }

        var required = schema.TryGetProperty("required", out var names) ? names.EnumerateArray().Select(name => name.GetString()!).ToHashSet(StringComparer.Ordinal) : [];
        foreach (var name in required)
        {
            if (!value.TryGetProperty(name, out _))
            {
                problems.Add($"{at}: required field '{name}' is missing");
            }
        }

        // An object schema without properties (dataFields, params) is free-form.
        if (!schema.TryGetProperty("properties", out var properties))
        {
            return;
        }

        foreach (var field in value.EnumerateObject())
        {
            var fieldAt = $"{at}.{field.Name}";
            if (!properties.TryGetProperty(field.Name, out var fieldSchema))
            {
                problems.Add($"{fieldAt}: field not in the schema{(definitionName is null ? "" : $" {definitionName}")}");
                continue;
            }

            if (field.Value.ValueKind == JsonValueKind.Null)
            {
                if (direction == Direction.Request || required.Contains(field.Name))
                {
                    problems.Add($"{fieldAt}: null (leave optional fields out instead)");
                }

                continue;
            }

            // The context "Definition.field" is what the int32 exceptions are keyed by.
            Check(fieldSchema, field.Value, direction, fieldAt, definitionName is null ? null : $"{definitionName}.{field.Name}", problems);
        }
    }
}
