namespace CohortSync.Amplitude;

/// <summary>One cohort as listed by <c>GET /api/3/cohorts</c>; only the fields the engine uses.</summary>
/// <param name="LastComputed">As Amplitude sends it; whether it is seconds or milliseconds is not documented.</param>
public sealed record AmplitudeCohort(
    string Id,
    string Name,
    long Size,
    bool Archived,
    bool Published,
    long? LastComputed,
    long? AppId,
    string? Description,
    string? Type);
