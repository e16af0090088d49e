using CohortSync.Core.Members;
using CohortSync.Grains.Runs;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>Pushed changes held in memory: each member's latest state with a rising position, as the webhook store keeps them.</summary>
public sealed class FakeMemberChanges : IMemberChanges
{
    private readonly Dictionary<string, (bool In, long Position)> _latest = [];
    private long _position;

    public int Reads { get; private set; }

    public void Enter(params string[] members) => Push(true, members);

    public void Exit(params string[] members) => Push(false, members);

    public Task<long> LatestAsync(CancellationToken ct) => Task.FromResult(_position);

    public Task<MemberChangeSet> ReadAsync(long after, CancellationToken ct)
    {
        Reads++;
        var changes = _latest.Where(c => c.Value.Position > after).ToList();
        return Task.FromResult(new MemberChangeSet(
            MemberSet.From(changes.Where(c => c.Value.In).Select(c => c.Key)),
            MemberSet.From(changes.Where(c => !c.Value.In).Select(c => c.Key)),
            changes.Count == 0 ? after : changes.Max(c => c.Value.Position), changes.Count, 0, 0));
    }

    private void Push(bool inCohort, string[] members)
    {
        foreach (var member in members) _latest[member] = (inCohort, ++_position);
    }
}
