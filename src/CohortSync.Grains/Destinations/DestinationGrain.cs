using CohortSync.Contracts;
using CohortSync.Core.Identity;
using CohortSync.Grains.Secrets;
using CohortSync.Iterable;
using Microsoft.Extensions.Logging;

namespace CohortSync.Grains.Destinations;

/// <summary>One Iterable destination of a project. Key: <c>projectId/destinationId</c>.</summary>
public sealed class DestinationGrain(
    [PersistentState("destination", StorageNames.Main)] IPersistentState<DestinationState> state,
    SecretProtector secrets,
    IterableKeyCheck keyCheck,
    ILogger<DestinationGrain> logger) : Grain, IDestinationAccess
{
    private readonly SerialStateWriter<DestinationState> _writes = new(state);

    private DestinationState Destination => state.State;

    public async Task<DestinationInfo> CreateAsync(AddDestinationRequest request, CancellationToken cancellationToken = default)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200) throw new CohortSyncException(ErrorCodes.InvalidArgument, "a destination needs a name of 1–200 characters");
        Require.NotBlank(request.IterableApiKey, "the Iterable API key");
        var property = string.IsNullOrWhiteSpace(request.UserProperty) ? IdentityRules.DefaultProperty : request.UserProperty;
        if (!IdentityRules.IsValidPropertyName(property))
            throw new CohortSyncException(ErrorCodes.InvalidArgument, $"'{property}' is not a valid Amplitude user property name");
        var url = Require.Endpoint(request.IterableRegion, request.IterableUrl, "us", IterableRegions.ResolveBaseUrl);
        var rate = RateSettings.From(request.RequestsPerSecond, request.MaxRequestsPerSecond);
        var concurrency = ConcurrencySetting.From(request.Concurrency);
        var key = request.IterableApiKey.Trim();
        // Checked before it is stored, as a new key is: a key Iterable refuses would only pause the first sync's run.
        await keyCheck.CheckNewAsync(url, key, SecretProtector.Hint(key), cancellationToken);

        var d = Destination;
        d.Exists = true;
        d.Name = name;
        d.IterableUrl = url.ToString().TrimEnd('/');
        d.KeyCipher = secrets.Protect(key);
        d.KeyHint = SecretProtector.Hint(key);
        d.UserProperty = property;
        (d.StartPerSecond, d.MaxPerSecond) = (rate?.StartPerSecond, rate?.MaxPerSecond);
        d.Concurrency = concurrency;
        (d.Health, d.HealthReason) = (DestinationHealth.Healthy, null);
        if (d.CreatedAt == default) d.CreatedAt = DateTimeOffset.UtcNow;
        await WriteAsync();
        return Info();
    }

    public Task<DestinationInfo?> GetAsync() => Task.FromResult(Destination.Exists ? Info() : null);

    public Task<IterableAccess> GetIterableAccessAsync()
    {
        var d = Destination;
        return Task.FromResult(new IterableAccess(d.Exists, d.IterableUrl, d.KeyCipher, d.UserProperty, d.Health, d.HealthReason,
            new RateSettings(d.StartPerSecond, d.MaxPerSecond), d.Concurrency));
    }

    public async Task RemoveAsync()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    public async Task<DestinationInfo> UpdateKeyAsync(UpdateDestinationRequest request, CancellationToken cancellationToken)
    {
        Require.NotBlank(request.IterableApiKey, "the Iterable API key");
        var rate = RateSettings.From(request.RequestsPerSecond, request.MaxRequestsPerSecond);
        var concurrency = ConcurrencySetting.From(request.Concurrency);
        var key = request.IterableApiKey.Trim();
        var hint = SecretProtector.Hint(key);
        // Checked before it is stored: a key Iterable refuses would only pause the syncs again.
        await keyCheck.CheckAsync(new Uri(Destination.IterableUrl), key, hint, cancellationToken);

        // No await between here and the write: the change is made whole, whatever interleaved with the check.
        var d = Destination;
        (d.KeyCipher, d.KeyHint) = (secrets.Protect(key), hint);
        if (rate is not null) (d.StartPerSecond, d.MaxPerSecond) = (rate.StartPerSecond ?? d.StartPerSecond, rate.MaxPerSecond ?? d.MaxPerSecond);
        d.Concurrency = concurrency ?? d.Concurrency;
        (d.Health, d.HealthReason) = (DestinationHealth.Healthy, null);
        await WriteAsync();
        logger.LogInformation("Destination {Destination}: key replaced ({KeyHint}), healthy again", this.GetPrimaryKeyString(), hint);
        return Info();
    }

    public async Task ReportKeyRejectedAsync(string reason)
    {
        if (Destination.Health == DestinationHealth.Unhealthy && Destination.HealthReason == reason) return;
        (Destination.Health, Destination.HealthReason) = (DestinationHealth.Unhealthy, reason);
        await WriteAsync();
        logger.LogWarning("Destination {Destination} marked unhealthy: {Reason}", this.GetPrimaryKeyString(), reason);
    }

    private Task WriteAsync() => _writes.WriteAsync();

    private DestinationInfo Info()
    {
        var (projectId, destinationId) = GrainKeys.Split(this.GetPrimaryKeyString());
        var d = Destination;
        return new DestinationInfo(projectId, destinationId, d.Name, d.IterableUrl, d.KeyHint, d.UserProperty, d.Health, d.HealthReason, d.CreatedAt,
            d.StartPerSecond, d.MaxPerSecond, d.Concurrency);
    }
}
