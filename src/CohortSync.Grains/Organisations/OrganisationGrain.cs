using CohortSync.Grains.Projects;
using Microsoft.Extensions.Logging;

namespace CohortSync.Grains.Organisations;

/// <summary>Knows the member projects of an organisation and their loads; writes only when a load changes.</summary>
public sealed class OrganisationGrain(
    [PersistentState("organisation", StorageNames.Main)] IPersistentState<OrganisationState> state,
    ILogger<OrganisationGrain> logger) : Grain, IOrganisationGrain
{
    private string Name => this.GetPrimaryKeyString();

    public async Task<MemberLoad> ReportAsync(string projectId, MemberLoad load)
    {
        var members = state.State.Members;
        if (!members.TryGetValue(projectId, out var before) || before != load)
        {
            members[projectId] = load;
            await state.WriteStateAsync();
            if (before is null) logger.LogInformation("Organisation {Organisation}: project {ProjectId} joined", Name, projectId);
            TellOthers(projectId);
        }
        return Others(projectId);
    }

    public async Task LeaveAsync(string projectId)
    {
        if (!state.State.Members.Remove(projectId)) return;
        await state.WriteStateAsync();
        logger.LogInformation("Organisation {Organisation}: project {ProjectId} left", Name, projectId);
        TellOthers(projectId);
    }

    public Task<MemberLoad> GetOthersAsync(string projectId) => Task.FromResult(Others(projectId));

    private MemberLoad Others(string projectId) =>
        state.State.Members.Where(m => m.Key != projectId).Aggregate(MemberLoad.None, (sum, m) => sum.Plus(m.Value));

    /// <summary>One-way: the organisation waits for none of its projects.</summary>
    private void TellOthers(string except)
    {
        foreach (var member in state.State.Members.Keys.Where(id => id != except))
            _ = GrainFactory.GetGrain<IProjectAccess>(member).OrganisationChangedAsync();
    }
}
