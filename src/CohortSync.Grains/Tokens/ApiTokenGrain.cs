using CohortSync.Contracts;
using CohortSync.Grains.Projects;
using Microsoft.Extensions.Logging;

namespace CohortSync.Grains.Tokens;

/// <summary>
/// The HTTP API's tokens. A grain rather than a table of its own: tokens are few (people and scripts, not members),
/// they live in the grain storage every other grain uses on SQLite and PostgreSQL alike, so no migration and no second
/// data path; and <see cref="CheckAsync"/> is read-only and interleaves, so checking a request never queues behind another.
/// Tokens are 32 random bytes, like the webhook token (<see cref="WebhookToken"/>): SHA-256 is enough to keep them at rest.
/// </summary>
public sealed class ApiTokenGrain(
    [PersistentState("api-tokens", StorageNames.Main)] IPersistentState<ApiTokenState> state,
    TimeProvider clock,
    ILogger<ApiTokenGrain> logger) : Grain, IApiTokenGrain
{
    /// <summary>Tokens start with this, so one found in a log or a paste is recognisable.</summary>
    public const string Prefix = "cst_";

    private List<StoredApiToken> Tokens => state.State.Tokens;

    public async Task<ApiTokenIssued> CreateAsync(string name, bool readOnly)
    {
        if (!GrainKeys.IsValidId(name))
            throw new CohortSyncException(ErrorCodes.InvalidArgument, $"'{name}' is not a valid token name (1–64 letters, digits, '.', '_' or '-').");
        if (Tokens.Any(t => t.Name == name))
            throw new CohortSyncException(ErrorCodes.ApiTokenExists, $"A token named {name} exists already; revoke it first or choose another name.");
        var token = Prefix + WebhookToken.New();
        Tokens.Add(new StoredApiToken(name, WebhookToken.Hash(token), readOnly, clock.GetUtcNow(), "…" + token[^4..]));
        await state.WriteStateAsync();
        logger.LogInformation("API token {TokenName} created (read-only: {ReadOnly})", name, readOnly);
        return new ApiTokenIssued(name, token, readOnly);
    }

    public Task<IReadOnlyList<ApiTokenInfo>> ListAsync() =>
        Task.FromResult<IReadOnlyList<ApiTokenInfo>>(Tokens.OrderBy(t => t.Name, StringComparer.Ordinal).Select(Info).ToList());

    public async Task<ApiTokenInfo> RevokeAsync(string name)
    {
        var stored = Tokens.Find(t => t.Name == name)
            ?? throw new CohortSyncException(ErrorCodes.UnknownApiToken, $"There is no token named {name}; `cohortsync token list` shows the names.");
        Tokens.Remove(stored);
        await state.WriteStateAsync();
        logger.LogInformation("API token {TokenName} revoked", name);
        return Info(stored);
    }

    public Task<ApiTokenAccess> CheckAsync(byte[] tokenHash)
    {
        // Every stored hash is compared, so how long a check takes says nothing about which token came close.
        var access = ApiTokenAccess.None;
        foreach (var stored in Tokens)
        {
            if (WebhookToken.Matches(stored.Hash, tokenHash))
                access = stored.ReadOnly ? ApiTokenAccess.ReadOnly : ApiTokenAccess.ReadWrite;
        }
        return Task.FromResult(access);
    }

    private static ApiTokenInfo Info(StoredApiToken stored) => new(stored.Name, stored.ReadOnly, stored.CreatedAt, stored.Hint);
}
