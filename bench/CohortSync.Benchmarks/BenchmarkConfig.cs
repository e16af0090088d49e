using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

[assembly: BenchmarkDotNet.Attributes.Config(typeof(CohortSync.Benchmarks.BenchmarkConfig))]

namespace CohortSync.Benchmarks;

/// <summary>
/// Each operation handles two million members and takes tens to hundreds of milliseconds, so a few
/// iterations give stable figures; the default job would spend minutes per benchmark on a 2-core machine.
/// In process: no per-run rebuild of the solution, which other builds on a shared machine would race with.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(6).WithInvocationCount(1).WithUnrollFactor(1)
            .WithToolchain(InProcessEmitToolchain.Instance));
    }
}
