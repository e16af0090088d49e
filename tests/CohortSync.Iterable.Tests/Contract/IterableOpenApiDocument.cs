using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CohortSync.Iterable.Tests.Contract;

/// <summary>
/// A Swagger 2.0 document for Iterable's API. <see cref="Load"/> gives the repository's own contract file
/// (Contract/iterable-contract.json: the part of Iterable's official document we rely on, copied unchanged);
/// <see cref="TryLoadOfficial"/> gives the official document itself when shared/reference holds it.
/// </summary>
public sealed class IterableOpenApiDocument
{
    private const string RelativePath = "reference/iterable-openapi.json";

    private static readonly Lazy<IterableOpenApiDocument> Contract =
        new(() => Read(Path.Combine(AppContext.BaseDirectory, "Contract", "iterable-contract.json")));

    private static readonly Lazy<IterableOpenApiDocument?> Official =
        new(() => LocateOfficial() is { } path ? Read(path) : null);

    private readonly JsonDocument _document;

    private IterableOpenApiDocument(JsonDocument document) => _document = document;

    /// <summary>The repository's contract file, copied to the output directory by the build.</summary>
    public static IterableOpenApiDocument Load() => Contract.Value;

    /// <summary>Iterable's official document, or null when it is not on this machine.</summary>
    public static IterableOpenApiDocument? TryLoadOfficial() => Official.Value;

    /// <summary>
    /// Where Iterable's official document is: $COHORTSYNC_SHARED_DIR/reference/iterable-openapi.json, else
    /// shared/reference/iterable-openapi.json in the nearest directory above the test binaries that has it; null when neither exists.
    /// </summary>
    public static string? LocateOfficial()
    {
        if (Environment.GetEnvironmentVariable("COHORTSYNC_SHARED_DIR") is { Length: > 0 } shared && File.Exists(Path.Combine(shared, RelativePath)))
        {
            return Path.Combine(shared, RelativePath);
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", RelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

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

    private static IterableOpenApiDocument Read(string path) => new(JsonDocument.Parse(File.ReadAllText(path)));
}
