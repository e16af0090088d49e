using System.Globalization;
using System.Text.Json;
using Xunit;

namespace CohortSync.Iterable.Tests.Contract;

/// <summary>
/// Our contract file (Contract/iterable-contract.json) is well-formed, and says what Iterable's official document says
/// wherever they overlap.
/// </summary>
public sealed class IterableContractFileTests
{
    private const string SourceProperty = "x-cohortsync-source";
    private const string DefinitionPrefix = "#/definitions/";

    private static readonly IterableOpenApiDocument Contract = IterableOpenApiDocument.Load();

    [Fact]
    public void Contract_file_names_its_source_and_every_ref_resolves()
    {
        var root = Contract.Root;
        Assert.Equal("2.0", root.GetProperty("swagger").GetString());
        Assert.True(root.TryGetProperty(SourceProperty, out var source), $"the contract file has no {SourceProperty}");
        Assert.Equal(root.GetProperty("info").GetProperty("title").GetString(), source.GetProperty("document").GetString());
        Assert.Equal(root.GetProperty("info").GetProperty("version").GetString(), source.GetProperty("version").GetString());
        Assert.StartsWith("https://", source.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.True(DateOnly.TryParseExact(source.GetProperty("takenOn").GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            "takenOn is not a yyyy-MM-dd date");
        Assert.NotEmpty(source.GetProperty("notes").EnumerateArray());
        Assert.NotEmpty(root.GetProperty("paths").EnumerateObject());

        var references = new List<(string At, string Target)>();
        CollectReferences(root, "$", references);
        var definitions = root.GetProperty("definitions");
        var broken = references
            .Where(reference => !reference.Target.StartsWith(DefinitionPrefix, StringComparison.Ordinal)
                                || !definitions.TryGetProperty(reference.Target[DefinitionPrefix.Length..], out _))
            .Select(reference => $"{reference.At}: {reference.Target}")
            .ToList();
        Assert.True(broken.Count == 0, "$refs that do not resolve within the file:\n" + string.Join("\n", broken));

        var reachable = Reachable(root.GetProperty("paths"), definitions);
        var unused = definitions.EnumerateObject().Select(definition => definition.Name).Where(name => !reachable.Contains(name)).ToList();
        Assert.True(unused.Count == 0, "definitions no operation reaches (keep the file minimal): " + string.Join(", ", unused));
    }

    [OfficialDocumentFact]
    public void Contract_file_agrees_with_the_official_document()
    {
        var official = IterableOpenApiDocument.TryLoadOfficial()!.Root;
        var ours = Contract.Root;
        var disagreements = new List<string>();

        foreach (var section in ours.EnumerateObject().Where(section => !section.Name.StartsWith("x-", StringComparison.Ordinal)))
        {
            if (!official.TryGetProperty(section.Name, out var theirs))
            {
                disagreements.Add($"{section.Name}: not in the official document");
                continue;
            }

            switch (section.Name)
            {
                case "paths":
                    foreach (var path in section.Value.EnumerateObject())
                    {
                        foreach (var method in path.Value.EnumerateObject())
                        {
                            Compare($"paths.{path.Name}.{method.Name}", method.Value,
                                theirs.TryGetProperty(path.Name, out var item) && item.TryGetProperty(method.Name, out var operation) ? operation : null,
                                disagreements);
                        }
                    }

                    break;
                case "definitions":
                    foreach (var definition in section.Value.EnumerateObject())
                    {
                        Compare($"definitions.{definition.Name}", definition.Value,
                            theirs.TryGetProperty(definition.Name, out var declared) ? declared : null, disagreements);
                    }

                    break;
                case "tags":
                    foreach (var tag in section.Value.EnumerateArray())
                    {
                        if (!theirs.EnumerateArray().Any(officialTag => JsonElement.DeepEquals(tag, officialTag)))
                        {
                            disagreements.Add($"tags: {tag.GetRawText()} is not in the official document");
                        }
                    }

                    break;
                default:
                    Compare(section.Name, section.Value, theirs, disagreements);
                    break;
            }
        }

        var version = official.GetProperty("info").GetProperty("version").GetString();
        if (ours.GetProperty(SourceProperty).GetProperty("version").GetString() != version)
        {
            disagreements.Add($"{SourceProperty}.version: the official document is version {version}");
        }

        Assert.True(disagreements.Count == 0,
            $"The contract file disagrees with {IterableOpenApiDocument.LocateOfficial()}:\n" + string.Join("\n", disagreements));
    }

    private static void Compare(string name, JsonElement ours, JsonElement? theirs, List<string> disagreements)
    {
        if (theirs is not { } official)
        {
            disagreements.Add($"{name}: not in the official document");
        }
        else if (!JsonElement.DeepEquals(ours, official))
        {
            disagreements.Add($"{name}: differs from the official document");
        }
    }

    private static void CollectReferences(JsonElement element, string at, List<(string At, string Target)> references)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "$ref")
                    {
                        references.Add((at, property.Value.GetString() ?? ""));
                    }
                    else
                    {
                        CollectReferences(property.Value, $"{at}.{property.Name}", references);
                    }
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CollectReferences(item, $"{at}[{index++}]", references);
                }

                break;
        }
    }

    /// <summary>The definitions the operations reference, directly or through other definitions.</summary>
    private static HashSet<string> Reachable(JsonElement paths, JsonElement definitions)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<JsonElement>([paths]);
        while (pending.TryPop(out var element))
        {
            var references = new List<(string At, string Target)>();
            CollectReferences(element, "$", references);
            foreach (var (_, target) in references)
            {
                var name = target[DefinitionPrefix.Length..];
                if (reached.Add(name) && definitions.TryGetProperty(name, out var definition))
                {
                    pending.Push(definition);
                }
            }
        }

        return reached;
    }
}
