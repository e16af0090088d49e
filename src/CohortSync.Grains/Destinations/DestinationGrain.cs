using CohortSync.Contracts;
using CohortSync.Grains.Secrets;
using CohortSync.Iterable;
using CohortSync.Iterable.Hosting;
using CohortSync.Iterable.Errors;
using Microsoft.Extensions.Logging;

namespace CohortSync.Grains.Destinations;

/// <summary>One Iterable destination of a project. Key: <c>projectId/destinationId</c>.</summary>
public sealed class DestinationGrain(
    [PersistentState("destination", StorageNames.Main)] IPersistentState<DestinationState> state,
    SecretProtector secrets,
    IIterableClientFactory iterable,
    ILogger<DestinationGrain> logger) : Grain, IDestinationAccess
{
    public async Task<DestinationInfo> ConfigureAsync(DestinationConfig config)
    {
        var s = state.State;
        s.Exists = true;
        s.Name = config.Name;
        s.IterableUrl = config.IterableUrl;
        s.KeyCipher = config.KeyCipher;
        s.KeyHint = config.KeyHint;
        s.UserProperty = config.UserProperty;
        s.Health = DestinationHealth.Healthy;
        s.HealthReason = null;
        if (s.CreatedAt == default) s.CreatedAt = DateTimeOffset.UtcNow;
        await state.WriteStateAsync();
        return Info();
    }

    public Task<DestinationInfo?> GetAsync() => Task.FromResult(state.State.Exists ? Info() : null);

    public Task<IterableAccess> GetIterableAccessAsync()
    {
        var s = state.State;
        return Task.FromResult(new IterableAccess(s.Exists, s.IterableUrl, s.KeyCipher, s.UserProperty, s.Health, s.HealthReason));
    }

    public async Task RemoveAsync()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    public async Task<EnsuredList> EnsureListAsync(string listName)
    {
        var client = iterable.Create(new Uri(state.State.IterableUrl), secrets.Unprotect(state.State.KeyCipher));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            var existing = await client.FindListByNameAsync(listName, timeout.Token);
            if (existing is long id) return new EnsuredList(id, Created: false);
            var created = await client.CreateListAsync(listName, timeout.Token);
            logger.LogInformation("Destination {Destination}: created Iterable list {ListId}", this.GetPrimaryKeyString(), created);
            return new EnsuredList(created, Created: true);
        }
        catch (IterableAuthException)
        {
            await ReportKeyRejectedAsync("Iterable rejected the API key (401 BadApiKey)");
            return new EnsuredList(0, false, EnsureListFailure.KeyRejected, "Iterable rejected the API key");
        }
        catch (Exception ex) when (ex is IterableTransientException or IterableRateLimitedException or IterableRequestException or HttpRequestException or OperationCanceledException)
        {
            // Exceptions stay on this side of the grain call: only a classification and a message cross it.
            return new EnsuredList(0, false, EnsureListFailure.Unavailable, $"could not find or create the Iterable list: {ex.Message}");
        }
    }

    public async Task ReportKeyRejectedAsync(string reason)
    {
        if (state.State.Health == DestinationHealth.Unhealthy && state.State.HealthReason == reason) return;
        state.State.Health = DestinationHealth.Unhealthy;
        state.State.HealthReason = reason;
        await state.WriteStateAsync();
        logger.LogWarning("Destination {Destination} marked unhealthy: {Reason}", this.GetPrimaryKeyString(), reason);
    }

    private DestinationInfo Info()
    {
        var (projectId, destinationId) = GrainKeys.Split(this.GetPrimaryKeyString());
        var s = state.State;
        return new DestinationInfo(projectId, destinationId, s.Name, s.IterableUrl, s.KeyHint, s.UserProperty, s.Health, s.HealthReason, s.CreatedAt);
    }
}
