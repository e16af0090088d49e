using System.Globalization;
using CohortSync.Storage;

namespace CohortSync.LoadHarness;

/// <summary>Command-line knobs: which scenarios, how big, and the compressed "hour" of scenario 4.</summary>
public sealed record HarnessOptions
{
    public HashSet<int> Scenarios { get; init; } = [1, 2, 3, 5];
    public int Members { get; init; } = 2_000_000;
    public int Syncs { get; init; } = 10_000;
    public int MembersPerSync { get; init; } = 1_000;
    public int SyncsPerProject { get; init; } = 100;
    /// <summary>Scenario 4's cadence: the real target is an hour; the harness compresses it.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Scenario 6 (the chaos soak): how long it shakes the cluster.</summary>
    public TimeSpan SoakDuration { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Extra arguments for the silo process (e.g. GC or engine settings under test).</summary>
    public List<string> SiloArgs { get; init; } = [];
    /// <summary>Scenario 8: webhook batches of 1,000 members posted a second, and for how long.</summary>
    public int WebhookRate { get; init; } = 50;
    public TimeSpan WebhookDuration { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Where the silo of scenarios 1–4 and 8 keeps its data: its own SQLite file, or a throwaway PostgreSQL.</summary>
    public StorageBackend Storage { get; init; } = StorageBackend.Sqlite;
    /// <summary>Scenarios 1–3: every Iterable request answered after this many ms (plus up to the jitter), as a real Iterable far away.</summary>
    public int IterableLatencyMs { get; init; }
    public int IterableJitterMs { get; init; }
    /// <summary>Scenarios 1–3 with the engine's own rate budget (20 → 100 requests/s) instead of the tests' lifted one.</summary>
    public bool DefaultRates { get; init; }
    /// <summary>Scenario 7: members of each id shape's cohort.</summary>
    public int ShapeMembers { get; init; } = 200_000;
    /// <summary>Scenario 4: stop after the setup (no watched period).</summary>
    public bool SetupOnly { get; init; }
    /// <summary>Scenario 4: after the setup, write a heap snapshot of the silo here with dotnet-gcdump (which must be on the PATH or in ~/.dotnet/tools).</summary>
    public string? GcDump { get; init; }

    public static HarnessOptions Parse(string[] args)
    {
        var options = new HarnessOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : "";
            options = args[i] switch
            {
                "--scenarios" => options with { Scenarios = [.. value.Split(',').Select(int.Parse)] },
                "--members" => options with { Members = int.Parse(value, CultureInfo.InvariantCulture) },
                "--syncs" => options with { Syncs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--members-per-sync" => options with { MembersPerSync = int.Parse(value, CultureInfo.InvariantCulture) },
                "--syncs-per-project" => options with { SyncsPerProject = int.Parse(value, CultureInfo.InvariantCulture) },
                "--period" => options with { Period = ParsePeriod(value) },
                "--soak" => options with { SoakDuration = ParsePeriod(value) },
                "--webhook-rate" => options with { WebhookRate = int.Parse(value, CultureInfo.InvariantCulture) },
                "--webhook-for" => options with { WebhookDuration = ParsePeriod(value) },
                "--storage" => options with { Storage = ParseStorage(value) },
                "--shape-members" => options with { ShapeMembers = int.Parse(value, CultureInfo.InvariantCulture) },
                "--iterable-latency-ms" => options with { IterableLatencyMs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--iterable-jitter-ms" => options with { IterableJitterMs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--default-rates" => options with { DefaultRates = true, SiloArgs = [.. options.SiloArgs, .. DefaultRateArgs] },
                "--silo-arg" => options with { SiloArgs = [.. options.SiloArgs, value] },
                "--setup-only" => options with { SetupOnly = true },
                "--gcdump" => options with { GcDump = value },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            if (args[i] is not ("--default-rates" or "--setup-only")) i++;
        }
        return options;
    }

    /// <summary>The engine's defaults (docs/delivery.md), after the tests' lifted budget in the silo's arguments.</summary>
    private static readonly string[] DefaultRateArgs = ["--CohortSync:RateBudget:StartPerSecond=20", "--CohortSync:RateBudget:MaxPerSecond=100"];

    private static StorageBackend ParseStorage(string text) => text switch
    {
        "sqlite" => StorageBackend.Sqlite,
        "postgres" => StorageBackend.Postgres,
        _ => throw new ArgumentException($"--storage is sqlite or postgres, not '{text}'"),
    };

    private static TimeSpan ParsePeriod(string text) => text[^1] switch
    {
        'm' => TimeSpan.FromMinutes(double.Parse(text[..^1], CultureInfo.InvariantCulture)),
        's' => TimeSpan.FromSeconds(double.Parse(text[..^1], CultureInfo.InvariantCulture)),
        _ => TimeSpan.Parse(text, CultureInfo.InvariantCulture),
    };
}
