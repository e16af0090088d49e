using BenchmarkDotNet.Attributes;
using CohortSync.Amplitude;
using CohortSync.Core.Identity;

namespace CohortSync.Benchmarks;

/// <summary>Reading a 2 M-row cohort file from memory: parsing alone, and parsing plus identity mapping into the desired set.</summary>
[MemoryDiagnoser]
public class CsvParsingBenchmarks
{
    private byte[] _file = [];

    [GlobalSetup]
    public void Setup() => _file = Cohorts.Csv(Cohorts.Ids(IdShape.Sequential));

    [Benchmark(Description = "parse 2M rows (sink counts)")]
    public async Task<long> ParseOnly()
    {
        using var stream = new MemoryStream(_file, writable: false);
        var sink = new CountingSink();
        await CohortCsvReader.ReadAsync(stream, "user_id", sink);
        return sink.Count;
    }

    [Benchmark(Description = "parse + map + build desired set")]
    public async Task<int> ParseAndBuild()
    {
        using var stream = new MemoryStream(_file, writable: false);
        var builder = new DesiredSetBuilder(Cohorts.Size);
        await CohortCsvReader.ReadAsync(stream, "user_id", new BuilderSink(builder));
        return builder.Build().Count;
    }

    private sealed class CountingSink : IMemberSink
    {
        public long Count;
        public void Accept(ReadOnlySpan<char> identity) => Count += identity.Length > 0 ? 1 : 0;
    }

    private sealed class BuilderSink(DesiredSetBuilder builder) : IMemberSink
    {
        public void Accept(ReadOnlySpan<char> identity) => builder.Accept(identity);
    }
}
