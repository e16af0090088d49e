using CohortSync.Testing;
using CohortSync.Testing.Chaos;
using Xunit.Abstractions;

namespace CohortSync.Cluster.Tests;

/// <summary>The soak's own PostgreSQL server: it restarts it, and it runs beside the other cluster tests.</summary>
[CollectionDefinition(nameof(ChaosSoakCollection))]
public sealed class ChaosSoakCollection : ICollectionFixture<PostgresFixture>;

/// <summary>
/// The CI version of the chaos soak (the 10-minute one is the load harness's scenario 6, figures in docs/reliability.md):
/// fewer and smaller syncs, kills every 40–60 s and one PostgreSQL restart in two minutes.
/// </summary>
[Collection(nameof(ChaosSoakCollection))]
[Trait("Speed", "Slow")]
public sealed class ChaosSoakTests(PostgresFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task Killed_silos_a_database_restart_and_a_stormy_Iterable_leave_every_list_exact_and_every_sync_on_time()
    {
        var soak = new ChaosSoak(new ChaosSoakOptions
        {
            Syncs = 40,
            Duration = TimeSpan.FromSeconds(120),
            KillEvery = TimeSpan.FromSeconds(40),
            KillJitter = TimeSpan.FromSeconds(20),
            MinimumKills = 2,
            SmallestCohort = 10,
            LargestCohort = 20_000,
            // Compressed: the changing cohorts' cadence is 30 s instead of 1 m; the hourly ones are real.
            Cadences = ["30s", "5m", "once", "hourly"],
            CohortChangeEvery = TimeSpan.FromSeconds(20),
            GuardPeriod = TimeSpan.FromSeconds(10),
            SettleTimeout = TimeSpan.FromSeconds(150),
            Log = line => output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {line}"),
        });

        var report = await soak.RunAsync(StorageUnderTest.Postgres(postgres));

        output.WriteLine(report.ToString());
        Assert.Empty(report.Problems);
        Assert.True(report.Kills >= 2, $"only {report.Kills} kills");
        Assert.Equal(1, report.PostgresRestarts);
    }
}
