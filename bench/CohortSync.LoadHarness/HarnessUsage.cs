namespace CohortSync.LoadHarness;

/// <summary>What the harness takes, printed on <c>--help</c> and after an option it does not know.</summary>
public static class HarnessUsage
{
    public const string Text = """
        CohortSync load harness: runs the scenarios of docs/benchmarks.md against a real silo and the sandbox.

        usage: CohortSync.LoadHarness [options]
          --scenarios LIST          comma-separated: 1 first run, 2 churn 1%, 3 unchanged, 4 many syncs, 5 diff vs EXCEPT,
                                    6 chaos soak, 7 snapshot bytes by id shape, 8 realtime webhooks, 9 member file upload,
                                    10 reconcile of a pre-existing list (default 1,2,3,5)
          --members N               members of scenarios 1-3, 9, 10 (default 2000000)
          --syncs N                 syncs of scenario 4 (default 10000; 200 for the soak)
          --members-per-sync N      scenario 4 (default 1000)
          --syncs-per-project N     scenario 4 (default 100)
          --period SPAN             scenario 4's compressed hour, e.g. 10m (default 10m)
          --setup-only              scenario 4: stop after the syncs are set up
          --gcdump FILE             scenario 4: a heap snapshot of the silo after setup (dotnet-gcdump)
          --soak SPAN               scenario 6's length (default 10m)
          --webhook-rate N          scenario 8: batches of 1,000 a second (default 50)
          --webhook-for SPAN        scenario 8's length (default 60s)
          --storage sqlite|postgres the silo's storage (default sqlite)
          --shape-members N         scenario 7 (default 200000)
          --iterable-latency-ms N   every Iterable request answered after N ms (scenarios 1-3)
          --iterable-jitter-ms J    plus up to J ms
          --default-rates           the engine's own rate budget (20 -> 100 requests/s) instead of the lifted one
          --silo-arg ARG            an extra argument for the silo process (repeatable)
          --help                    this text
        """;

    /// <summary>Parses <paramref name="args"/>, or prints the usage and returns the exit code to end with.</summary>
    public static HarnessOptions? Parse(string[] args, out int exitCode)
    {
        exitCode = 0;
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Text);
            return null;
        }
        try
        {
            return HarnessOptions.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            Console.Error.WriteLine(Text);
            exitCode = 2;
            return null;
        }
    }
}
