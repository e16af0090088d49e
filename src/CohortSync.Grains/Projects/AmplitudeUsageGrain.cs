using CohortSync.Core.Scheduling;

namespace CohortSync.Grains.Projects;

/// <summary>Counts a project's Amplitude cohort downloads per calendar month (UTC). Key: the project id.</summary>
[Alias("cs.IAmplitudeUsageGrain")]
public interface IAmplitudeUsageGrain : IGrainWithStringKey
{
    /// <summary>One more download requested in the current month.</summary>
    [Alias("CountDownload")] Task CountDownloadAsync();

    [Alias("GetThisMonth")] Task<DownloadCount> GetThisMonthAsync();
}

[GenerateSerializer, Immutable, Alias("cs.DownloadCount")]
public sealed record DownloadCount([property: Id(0)] string Month, [property: Id(1)] int Used);

[GenerateSerializer, Alias("cs.AmplitudeUsageState")]
public sealed class AmplitudeUsageState
{
    [Id(0)] public string Month { get; set; } = "";
    [Id(1)] public int Used { get; set; }
}

/// <summary>
/// Kept apart from the project grain so a count, written once per run, rewrites one small row and not the
/// project's index of syncs.
/// </summary>
public sealed class AmplitudeUsageGrain(
    [PersistentState("amplitude-usage", StorageNames.Main)] IPersistentState<AmplitudeUsageState> state,
    TimeProvider clock) : Grain, IAmplitudeUsageGrain
{
    public async Task CountDownloadAsync()
    {
        var month = DownloadQuota.MonthOf(clock.GetUtcNow());
        if (state.State.Month != month) (state.State.Month, state.State.Used) = (month, 0);
        state.State.Used++;
        await state.WriteStateAsync();
    }

    public Task<DownloadCount> GetThisMonthAsync()
    {
        var month = DownloadQuota.MonthOf(clock.GetUtcNow());
        return Task.FromResult(new DownloadCount(month, state.State.Month == month ? state.State.Used : 0));
    }
}
