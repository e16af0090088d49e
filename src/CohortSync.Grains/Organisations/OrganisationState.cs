namespace CohortSync.Grains.Organisations;

[GenerateSerializer, Alias("cs.OrganisationState")]
public sealed class OrganisationState
{
    /// <summary>Member project id → its load as last reported.</summary>
    [Id(0)] public Dictionary<string, MemberLoad> Members { get; set; } = [];
}
