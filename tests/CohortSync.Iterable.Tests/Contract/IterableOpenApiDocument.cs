using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CohortSync.Iterable.Tests.Contract;

/// <summary>
/// Iterable's official Swagger 2.0 document, read at test time from shared/reference (beside the repository),
/// so the checks follow the vendor's document rather than a copy of it.
/// </summary>
public sealed class IterableOpenApiDocument
{
    private const string RelativePath = "reference/iterable-openapi.json";

    private static readonly Lazy<IterableOpenApiDocument> Shared = new(() => new IterableOpenApiDocument(JsonDocument.Parse(File.ReadAllText(Locate()))));

    private readonly JsonDocument _document;

    private IterableOpenApiDocument(JsonDocument document) => _document = document;

    public static IterableOpenApiDocument Load() => Shared.Value;

    public JsonElement Root => _document.RootElement;

    /// <summary>The header the document's security definition names for the API key.</summary>
    public string ApiKeyHeader =>
        Root.GetProperty("securityDefinitions").EnumerateObject()
            .Select(definition => definition.Value)
            .First(definition => definition.GetProperty("type").GetString() == "apiKey" && definition.GetProperty("in").GetString() == "header")
            .GetProperty("name").GetString()!;

    public JsonElement Definition(string name) => Root.GetProperty("definitions").GetProperty(name);

    /// <summary>Resolves <c>#/definitions/...</c> references (repeatedly, for chains).</summary>
    public JsonElement Resolve(JsonElement schema)
    {
        while (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference))
        {
            var target = reference.GetString()!;
            const string prefix = "#/definitions/";
            if (!target.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Unsupported $ref '{target}'.");
            }

            schema = Definition(target[prefix.Length..]);
        }

        return schema;
    }

    /// <summary>
    /// The operation for a concrete path and method, with the path parameters it binds. Literal templates win
    /// over templated ones (/api/lists/getUsers is not /api/lists/{listId}).
    /// </summary>
    public (string Template, JsonElement Operation, IReadOnlyDictionary<string, string> PathParameters)? FindOperation(string path, HttpMethod method)
    {
        var candidates = new List<(string Template, JsonElement Operation, Dictionary<string, string> Parameters)>();
        foreach (var entry in Root.GetProperty("paths").EnumerateObject())
        {
            var names = new List<string>();
            var pattern = "^" + Regex.Replace(Regex.Escape(entry.Name).Replace(@"\{", "{", StringComparison.Ordinal), "{([^}]+)}", match =>
            {
                names.Add(match.Groups[1].Value);
                return "([^/]+)";
            }) + "$";
            var match = Regex.Match(path, pattern);
            if (!match.Success || !entry.Value.TryGetProperty(method.Method.ToLower(CultureInfo.InvariantCulture), out var operation))
            {
                continue;
            }

            var parameters = names.Select((name, i) => (name, value: Uri.UnescapeDataString(match.Groups[i + 1].Value)))
                .ToDictionary(pair => pair.name, pair => pair.value, StringComparer.Ordinal);
            candidates.Add((entry.Name, operation, parameters));
        }

        return candidates.Count == 0
            ? null
            : candidates.OrderBy(candidate => candidate.Parameters.Count).Select(c => ((string, JsonElement, IReadOnlyDictionary<string, string>)?)(c.Template, c.Operation, c.Parameters)).First();
    }

    private static string Locate()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", RelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        if (Environment.GetEnvironmentVariable("COHORTSYNC_SHARED_DIR") is { Length: > 0 } shared && File.Exists(Path.Combine(shared, RelativePath)))
        {
            return Path.Combine(shared, RelativePath);
        }

        throw new FileNotFoundException(
            $"Could not find shared/{RelativePath} above {AppContext.BaseDirectory}; set COHORTSYNC_SHARED_DIR to the shared folder.");
    }
}
