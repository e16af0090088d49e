using BenchmarkDotNet.Attributes;
using CohortSync.Core.Identity;
using CohortSync.Core.Members;

namespace CohortSync.Benchmarks;

/// <summary>2 M identifiers in file order → checked, encoded to UTF-8, sorted and de-duplicated.</summary>
[MemoryDiagnoser]
public class IdentityMappingBenchmarks
{
    private string[] _ids = [];

    [Params(IdShape.Sequential, IdShape.Uuid)]
    public IdShape Shape { get; set; }

    [GlobalSetup]
    public void Setup() => _ids = Cohorts.Ids(Shape);

    [Benchmark(Description = "accept 2M values (check + UTF-8)")]
    public long Accept()
    {
        var builder = new DesiredSetBuilder(_ids.Length);
        foreach (var id in _ids) builder.Accept(id);
        return builder.Rows;
    }

    [Benchmark(Description = "accept + build (sort, dedupe)")]
    public MemberSet AcceptAndBuild()
    {
        var builder = new DesiredSetBuilder(_ids.Length);
        foreach (var id in _ids) builder.Accept(id);
        return builder.Build();
    }
}
