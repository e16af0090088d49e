using BenchmarkDotNet.Attributes;
using CohortSync.Core.Members;

namespace CohortSync.Benchmarks;

/// <summary>The diff of scenario 2: 2 M synced members against the cohort with 10,000 out and 10,000 in.</summary>
[MemoryDiagnoser]
public class DiffBenchmarks
{
    private MemberSet _synced = MemberSet.Empty;
    private MemberSet _desired = MemberSet.Empty;
    private MemberSetDiff _diff = null!;

    [GlobalSetup]
    public void Setup()
    {
        var ids = Cohorts.Ids(IdShape.Sequential);
        _synced = Cohorts.Set(ids);
        _desired = Cohorts.Set(Cohorts.Churned(ids, IdShape.Sequential));
        _diff = MemberSetDiff.Compute(_desired, _synced);
    }

    [Benchmark(Description = "diff 2M vs 2M (1% churn)")]
    public MemberSetDiff Diff() => MemberSetDiff.Compute(_desired, _synced);

    [Benchmark(Description = "diff 2M vs 2M (unchanged)")]
    public MemberSetDiff DiffUnchanged() => MemberSetDiff.Compute(_synced, _synced);

    [Benchmark(Description = "apply the diff to the synced set")]
    public MemberSet Apply() => _synced.Apply(_diff.Adds, _diff.Removes);
}
