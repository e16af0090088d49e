using CohortSync.Testing;
using CohortSync.Testing.Chaos;

namespace CohortSync.LoadHarness;

/// <summary>
/// Scenario 6, issue 8's chaos soak at full size: three silo processes on a throwaway PostgreSQL, 200 syncs (1m, 5m,
/// once, hourly; 10 to 200,000 members), a stormy Iterable, a silo SIGKILLed every 60–90 s, one PostgreSQL restart.
/// </summary>
public static class ChaosSoakScenario
{
    public static async Task RunAsync(HarnessOptions options, ResultTable table)
    {
        var postgres = new PostgresFixture();
        await postgres.InitializeAsync();
        try
        {
            var soak = new ChaosSoak(new ChaosSoakOptions
            {
                Syncs = options.Syncs == new HarnessOptions().Syncs ? 200 : options.Syncs,
                Duration = options.SoakDuration,
                GuardPeriod = TimeSpan.FromSeconds(20),
                Log = line => Console.WriteLine($"  {DateTimeOffset.UtcNow:HH:mm:ss} {line}"),
            });
            var report = await soak.RunAsync(StorageUnderTest.Postgres(postgres));
            Console.WriteLine($"  {report}");
            const string scenario = "6: chaos soak";
            table.Add(scenario, "syncs / members", $"{report.Syncs} / {report.Members:N0}");
            table.Add(scenario, "runs", report.Runs.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            table.Add(scenario, "silo kills / PostgreSQL restarts", $"{report.Kills} / {report.PostgresRestarts}");
            table.Add(scenario, "longest a sync was behind its cadence", $"{report.LongestBehind.TotalSeconds:0} s", "≤ GuardPeriod + death declaration");
            table.Add(scenario, "members re-sent after kills", report.MembersResent.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            table.Add(scenario, "problems", report.Problems.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "0",
                string.Join(" | ", report.Problems.Take(3)));
        }
        finally
        {
            await postgres.DisposeAsync();
        }
    }
}
