using CohortSync.Contracts;
using CohortSync.Grains.AmplitudeUsage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CohortSync.Grains.Runs;

/// <summary>
/// Keeps a project's runs within Amplitude's limits for cohort downloads (DESIGN.md §8: a few at once, about 60 per
/// ten minutes per project), cluster-wide, through the project's <see cref="IAmplitudeUsageGrain"/>. A run waits in
/// phase <c>waitingForAmplitude</c> for a permit, holds it from the export request until the file is read, and
/// renews it meanwhile; a permit its silo can no longer renew lapses after <see cref="Lease"/>.
/// </summary>
public sealed class AmplitudeDownloadGate(IGrainFactory grains, ClusterRetry retry, IOptions<SyncEngineOptions> options, ILogger<AmplitudeDownloadGate> logger)
    : IDownloadPermits
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(30);

    public async Task<IAsyncDisposable> EnterAsync(string usageKey, RunTally tally, CancellationToken ct)
    {
        var o = options.Value;
        var usage = grains.GetGrain<IAmplitudeUsageGrain>(usageKey);
        // Unlimited pacing still asks the grain: a month whose quota Amplitude said is used up downloads nothing more.
        var limits = new DownloadLimits(Math.Max(o.AmplitudeConcurrentDownloads, 0), Math.Max(o.AmplitudeDownloadsPerWindow, 0), o.AmplitudeDownloadWindow, Lease);
        var phase = tally.Phase;
        while (true)
        {
            var permit = await retry.CallAsync(token => usage.TryEnterDownloadAsync(limits, token), ct);
            if (permit.ExhaustedUntil is { } until) throw QuotaUsedUp(until);
            if (permit.Id is Guid id)
            {
                tally.Phase = phase;
                return new Held(usage, id, logger);
            }
            tally.Phase = RunPhase.WaitingForAmplitude;
            var wait = permit.RetryAfter < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : permit.RetryAfter > LongestWait ? LongestWait : permit.RetryAfter;
            await Task.Delay(wait, ct);
        }
    }

    /// <summary>The run's failure when the month's quota is used up: no Amplitude request, a plain sentence.</summary>
    public static RunFailure QuotaUsedUp(DateTimeOffset until) => new(FailureKind.QuotaExhausted, string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"Amplitude's monthly download quota is used up; runs resume on {until:yyyy-MM-dd} or when the quota is raised ('cohortsync project quota reset')"));

    private sealed class Held : IAsyncDisposable
    {
        private readonly IAmplitudeUsageGrain _usage;
        private readonly Guid _id;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        public Held(IAmplitudeUsageGrain usage, Guid id, ILogger logger)
        {
            (_usage, _id) = (usage, id);
            _renewing = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(RenewEvery);
                try
                {
                    while (await timer.WaitForNextTickAsync(_stop.Token)) await _usage.RenewDownloadAsync(_id, Lease);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
                catch (Exception ex)
                {
                    // The permit lapses on its own; the download goes on.
                    logger.LogWarning(ex, "Could not renew an Amplitude download permit");
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewing;
            _stop.Dispose();
            try { await _usage.ExitDownloadAsync(_id); }
            catch (Exception) { /* it lapses after the lease */ }
        }
    }
}
