using CohortSync.Amplitude;
using CohortSync.Contracts;
using CohortSync.Grains.Secrets;
using Microsoft.Extensions.Logging;

namespace CohortSync.Grains.Projects;

/// <summary>
/// Checks a cohort exists before a sync is created (Amplitude's cohort list costs no download quota). A wrong key or
/// an unknown cohort is refused; an unreachable Amplitude is not, since the run will retry.
/// </summary>
public sealed class CohortLookup(IAmplitudeClientFactory amplitude, SecretProtector secrets, ILogger<CohortLookup> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <returns>The cohort's name, or null when Amplitude could not be asked now.</returns>
    public async Task<string?> FindNameAsync(string projectId, AmplitudeAccess access, string cohortId, CancellationToken cancellationToken)
    {
        var client = amplitude.Create(new Uri(access.Url), secrets.Unprotect(access.KeyCipher), secrets.Unprotect(access.SecretCipher));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var cohort = await client.FindCohortAsync(cohortId, timeout.Token)
                ?? throw new CohortSyncException(ErrorCodes.UnknownCohort, $"Amplitude project {projectId} has no cohort '{cohortId}'");
            return cohort.Name;
        }
        catch (AmplitudeAuthException)
        {
            throw new CohortSyncException(ErrorCodes.InvalidArgument,
                $"Amplitude rejected project {projectId}'s API key / secret key; run 'cohortsync project enable {projectId}' with the right ones");
        }
        catch (Exception ex) when (ex is AmplitudeException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Project {ProjectId}: could not check cohort {CohortId} ({Error}); the run will", projectId, cohortId, ex.GetType().Name);
            return null;
        }
    }
}
