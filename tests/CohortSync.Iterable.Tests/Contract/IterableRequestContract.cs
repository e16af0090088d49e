using System.Globalization;
using System.Text.Json;

namespace CohortSync.Iterable.Tests.Contract;

/// <summary>Checks one recorded request against the operation the document declares for its path and method.</summary>
public sealed class IterableRequestContract(IterableOpenApiDocument document)
{
    private readonly SwaggerSchemaValidator _validator = new(document);

    /// <summary>The operationId the request maps to (null when none), and what is wrong with it.</summary>
    public (string? OperationId, IReadOnlyList<string> Problems) Check(RecordedRequest request)
    {
        var problems = new List<string>();
        var where = $"{request.Method} {request.Uri.AbsolutePath}";
        var found = document.FindOperation(request.Uri.AbsolutePath, request.Method);
        if (found is not { } match)
        {
            return (null, [$"{where}: no such path and method in the document"]);
        }

        var keyHeader = document.ApiKeyHeader;
        if (!request.Headers.TryGetValue(keyHeader, out var keys) || keys.All(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{where}: header {keyHeader} missing");
        }

        var query = ParseQuery(request.Uri.Query);
        var parameters = match.Operation.TryGetProperty("parameters", out var declared) ? declared.EnumerateArray().ToArray() : [];
        var hasBodyParameter = false;
        foreach (var parameter in parameters)
        {
            var name = parameter.GetProperty("name").GetString()!;
            var required = parameter.TryGetProperty("required", out var flag) && flag.GetBoolean();
            switch (parameter.GetProperty("in").GetString())
            {
                case "path":
                    CheckSimple(parameter, match.PathParameters.GetValueOrDefault(name), required, $"{where}: path parameter {name}", problems);
                    break;
                case "query":
                    CheckSimple(parameter, query.GetValueOrDefault(name), required, $"{where}: query parameter {name}", problems);
                    break;
                case "header":
                    CheckSimple(parameter, request.Headers.GetValueOrDefault(name)?.FirstOrDefault(), required, $"{where}: header {name}", problems);
                    break;
                case "body":
                    hasBodyParameter = true;
                    CheckBody(parameter, request, required, where, problems);
                    break;
            }
        }

        var declaredQuery = parameters.Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()).ToHashSet();
        problems.AddRange(query.Keys.Where(name => !declaredQuery.Contains(name)).Select(name => $"{where}: query parameter {name} is not in the document"));
        if (!hasBodyParameter && !string.IsNullOrEmpty(request.Body))
        {
            problems.Add($"{where}: sends a body the operation does not take");
        }

        var operationId = match.Operation.TryGetProperty("operationId", out var id) ? id.GetString() : match.Template;
        return (operationId, problems);
    }

    private void CheckBody(JsonElement parameter, RecordedRequest request, bool required, string where, List<string> problems)
    {
        if (string.IsNullOrEmpty(request.Body))
        {
            if (required)
            {
                problems.Add($"{where}: required body missing");
            }

            return;
        }

        if (request.ContentType != "application/json")
        {
            problems.Add($"{where}: body sent as {request.ContentType}, not application/json");
        }

        using var body = JsonDocument.Parse(request.Body);
        problems.AddRange(_validator.Validate(parameter.GetProperty("schema"), body.RootElement, SwaggerSchemaValidator.Direction.Request)
            .Select(problem => $"{where}: body {problem}"));
    }

    private static void CheckSimple(JsonElement parameter, string? value, bool required, string what, List<string> problems)
    {
        if (value is null)
        {
            if (required)
            {
                problems.Add($"{what} is required but missing");
            }

            return;
        }

        var type = parameter.TryGetProperty("type", out var declared) ? declared.GetString() : null;
        var valid = type switch
        {
            "integer" => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            "boolean" => value is "true" or "false",
            "number" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            _ => true,
        };
        if (!valid)
        {
            problems.Add($"{what}: '{value}' is not a valid {type}");
        }
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            result[Uri.UnescapeDataString(parts[0])] = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }

        return result;
    }
}
