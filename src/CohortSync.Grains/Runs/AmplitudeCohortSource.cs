using CohortSync.Amplitude;
using CohortSync.Grains.AmplitudeUsage;
using Microsoft.Extensions.Logging;

namespace CohortSync.Grains.Runs;

/// <summary>A project's cohorts as Amplitude's Behavioral Cohorts API gives them; counts every download it requests.</summary>
internal sealed class AmplitudeCohortSource(
    AmplitudeCohortClient amplitude,
    IAmplitudeUsageGrain usage,
    CohortSyncMetrics metrics,
    SyncEngineOptions options,
    ILogger logger) : ICohortSource
{
    public Task<AmplitudeCohort?> FindAsync(string cohortId, CancellationToken ct) => amplitude.FindCohortAsync(cohortId, ct);

    public async Task<CohortReadResult> ReadAsync(string cohortId, string? property, IMemberSink sink, RunTally tally, CancellationToken ct)
    {
        string requestId;
        try
        {
            requestId = await amplitude.RequestCohortAsync(cohortId, property, ct);
        }
        catch (AmplitudeQuotaExceededException)
        {
            // Told once, for every run of the project: none of them asks Amplitude again this month.
            try { await usage.QuotaExhaustedAsync(); }
            catch (Exception ex) { logger.LogWarning(ex, "Could not record that project {ProjectId} used up its Amplitude quota", usage.GetPrimaryKeyString()); }
            throw;
        }
        metrics.DownloadRequested();
        await CountDownloadAsync();
        var jobWait = System.Diagnostics.Stopwatch.StartNew();
        await amplitude.WaitUntilReadyAsync(requestId, options.AmplitudePollInterval, options.AmplitudeJobTimeout, ct);
        tally.AmplitudeWait = jobWait.Elapsed;
        return await Task.Run(async () =>
        {
            await using var file = await amplitude.OpenFileAsync(requestId, ct);
            return await CohortCsvReader.ReadAsync(file, property ?? Core.Identity.IdentityRules.DefaultProperty, sink, ct);
        }, ct);
    }

    /// <summary>Amplitude counted the request against the project's monthly quota; so do we. A lost count never fails a run.</summary>
    private async Task CountDownloadAsync()
    {
        try
        {
            await usage.CountDownloadAsync();
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not count an Amplitude download of project {ProjectId}", usage.GetPrimaryKeyString());
        }
    }
}
