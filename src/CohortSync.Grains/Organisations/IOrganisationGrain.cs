namespace CohortSync.Grains.Organisations;

/// <summary>
/// An Amplitude organisation (<c>project enable … --organisation NAME</c>): the projects that share one download
/// quota, and what each one's schedule downloads, so the automatic reconcile interval and the projection of
/// <c>project show</c> are the organisation's. Its counting and pacing are the <c>IAmplitudeUsageGrain</c> keyed
/// <see cref="OrganisationKeys.Usage"/>. Key: the organisation's name.
/// </summary>
[Alias("cs.IOrganisationGrain")]
public interface IOrganisationGrain : IGrainWithStringKey
{
    /// <summary>
    /// The project is a member with this load now; returns the load of the other members. When it changed, the
    /// other members hear of it (one-way) so their realtime syncs take the new interval.
    /// </summary>
    [Alias("Report")] Task<MemberLoad> ReportAsync(string projectId, MemberLoad load);

    /// <summary>The project left (enabled again with another organisation or none).</summary>
    [Alias("Leave")] Task LeaveAsync(string projectId);

    /// <summary>The summed load of every member but <paramref name="projectId"/>.</summary>
    [Alias("GetOthers")] Task<MemberLoad> GetOthersAsync(string projectId);
}

/// <summary>A project's share of the plan: downloads a month of its fixed-interval syncs, and its realtime syncs on auto.</summary>
[GenerateSerializer, Immutable, Alias("cs.MemberLoad")]
public sealed record MemberLoad([property: Id(0)] int FixedPerMonth, [property: Id(1)] int OnAuto)
{
    public static readonly MemberLoad None = new(0, 0);

    public MemberLoad Plus(MemberLoad other) =>
        new((int)Math.Min(int.MaxValue, (long)FixedPerMonth + other.FixedPerMonth), OnAuto + other.OnAuto);
}

public static class OrganisationKeys
{
    /// <summary>The usage grain key of an organisation; a project id has no ':' so the two never meet.</summary>
    public static string Usage(string organisation) => $"org:{organisation}";

    /// <summary>The usage grain key that counts a project's downloads: its organisation's, or its own.</summary>
    public static string UsageOf(string projectId, string? organisation) => organisation is null ? projectId : Usage(organisation);
}
