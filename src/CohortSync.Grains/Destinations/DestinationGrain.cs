using CohortSync.Contracts;
using CohortSync.Grains.Delivery;
using CohortSync.Grains.Projects;
using CohortSync.Grains.Secrets;
using CohortSync.Iterable.Errors;
using CohortSync.Iterable.Hosting;
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
        s.StartPerSecond = config.Rate?.StartPerSecond;
        s.MaxPerSecond = config.Rate?.MaxPerSecond;
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
        return Task.FromResult(new IterableAccess(s.Exists, s.IterableUrl, s.KeyCipher, s.UserProperty, s.Health, s.HealthReason, Rate));
    }

    public async Task RemoveAsync()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    public async Task<DestinationInfo> UpdateKeyAsync(string keyCipher, string keyHint, RateSettings? rate)
    {
        var s = state.State;
        // Checked before it is stored: a key Iterable refuses would only pause the syncs again.
        var client = iterable.Create(new Uri(s.IterableUrl), secrets.Unprotect(keyCipher));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await client.GetListsAsync(timeout.Token);
        }
        catch (IterableAuthException)
        {
            throw new CohortSyncException(ErrorCodes.InvalidArgument, $"Iterable rejected the new key ({keyHint}) as well; the destination was not changed");
        }
        catch (Exception ex) when (ex is IterableException or HttpRequestException or OperationCanceledException)
        {
            throw new CohortSyncException(ErrorCodes.IterableUnreachable, $"could not check the new key with Iterable ({ex.Message}); the destination was not changed, try again");
        }

        s.KeyCipher = keyCipher;
        s.KeyHint = keyHint;
        if (rate is not null) (s.StartPerSecond, s.MaxPerSecond) = (rate.StartPerSecond ?? s.StartPerSecond, rate.MaxPerSecond ?? s.MaxPerSecond);
        s.Health = DestinationHealth.Healthy;
        s.HealthReason = null;
        await state.WriteStateAsync();
        logger.LogInformation("Destination {Destination}: key replaced ({KeyHint}), healthy again", this.GetPrimaryKeyString(), keyHint);
        return Info();
    }

    public async Task ReportKeyRejectedAsync(string reason)
    {
        if (state.State.Health == DestinationHealth.Unhealthy && state.State.HealthReason == reason) return;
        state.State.Health = DestinationHealth.Unhealthy;
        state.State.HealthReason = reason;
        await state.WriteStateAsync();
        logger.LogWarning("Destination {Destination} marked unhealthy: {Reason}", this.GetPrimaryKeyString(), reason);
        // One-way: the sync that reported this may be the one the project is about to pause.
        var (projectId, destinationId) = GrainKeys.Split(this.GetPrimaryKeyString());
        await GrainFactory.GetGrain<IProjectAccess>(projectId).PauseSyncsOfDestinationAsync(destinationId, reason);
    }

    private RateSettings Rate => new(state.State.StartPerSecond, state.State.MaxPerSecond);

    private DestinationInfo Info()
    {
        var (projectId, destinationId) = GrainKeys.Split(this.GetPrimaryKeyString());
        var s = state.State;
        return new DestinationInfo(projectId, destinationId, s.Name, s.IterableUrl, s.KeyHint, s.UserProperty, s.Health, s.HealthReason, s.CreatedAt,
            s.StartPerSecond, s.MaxPerSecond);
    }
}
