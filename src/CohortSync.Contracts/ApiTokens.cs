using Orleans.Concurrency;

namespace CohortSync.Contracts;

/// <summary>
/// The cluster's HTTP API tokens (<c>cohortsync token create|list|revoke</c>). One grain holds them all: key
/// <see cref="RegistryKey"/>. It keeps each token's SHA-256, never the token.
/// </summary>
[Alias("cs.IApiTokenGrain")]
public interface IApiTokenGrain : IGrainWithStringKey
{
    const string RegistryKey = "api";

    /// <summary>Creates a token named <paramref name="name"/>; the token is in the answer only.</summary>
    [Alias("Create")] Task<ApiTokenIssued> CreateAsync(string name, bool readOnly);
    [Alias("List")] Task<IReadOnlyList<ApiTokenInfo>> ListAsync();
    /// <summary>Removes the token: requests that present it are refused from now on.</summary>
    [Alias("Revoke")] Task<ApiTokenInfo> RevokeAsync(string name);
    /// <summary>What the SHA-256 of a presented token may do (compared in constant time). Read-only, so checks interleave.</summary>
    [ReadOnly, Alias("Check")] Task<ApiTokenAccess> CheckAsync(byte[] tokenHash);
}

/// <summary>A new API token, returned once by <c>token create</c>.</summary>
[GenerateSerializer, Immutable, Alias("cs.ApiTokenIssued")]
public sealed record ApiTokenIssued(
    [property: Id(0)] string Name,
    [property: Id(1)] string Token,
    [property: Id(2)] bool ReadOnly)
{
    public override string ToString() => $"ApiTokenIssued(name={Name}, readOnly={ReadOnly})";
}

/// <summary>A token as <c>token list</c> shows it: never the token, its last four characters at most.</summary>
[GenerateSerializer, Immutable, Alias("cs.ApiTokenInfo")]
public sealed record ApiTokenInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] bool ReadOnly,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string Hint);

[GenerateSerializer, Alias("cs.ApiTokenAccess")]
public enum ApiTokenAccess
{
    /// <summary>No such token (never issued, or revoked).</summary>
    None = 0,
    ReadOnly = 1,
    ReadWrite = 2,
}
