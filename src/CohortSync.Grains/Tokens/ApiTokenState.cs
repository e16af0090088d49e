namespace CohortSync.Grains.Tokens;

[GenerateSerializer, Alias("cs.ApiTokenState")]
public sealed class ApiTokenState
{
    [Id(0)] public List<StoredApiToken> Tokens { get; set; } = [];
}

/// <summary>One token at rest: its SHA-256 and its last four characters (what <c>token list</c> may show), never the token.</summary>
[GenerateSerializer, Immutable, Alias("cs.StoredApiToken")]
public sealed record StoredApiToken(
    [property: Id(0)] string Name,
    [property: Id(1)] byte[] Hash,
    [property: Id(2)] bool ReadOnly,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] string Hint);
