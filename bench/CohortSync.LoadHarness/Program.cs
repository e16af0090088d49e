using CohortSync.LoadHarness;
using CohortSync.Storage;
using CohortSync.Testing;

// dotnet run -c Release --project bench/CohortSync.LoadHarness -- --scenarios 1,2,3,5 [--members 2000000] [--storage postgres]
// dotnet run -c Release --project bench/CohortSync.LoadHarness -- --scenarios 4 --syncs 10000 --period 10m [--storage postgres]
// dotnet run -c Release --project bench/CohortSync.LoadHarness -- --scenarios 6 [--syncs 200] [--soak 10m]   (chaos soak)
// dotnet run -c Release --project bench/CohortSync.LoadHarness -- --scenarios 7 [--shape-members 200000]   (snapshot bytes by id shape, PostgreSQL)
// dotnet run -c Release --project bench/CohortSync.LoadHarness -- --scenarios 8 [--webhook-rate 50] [--webhook-for 60s]   (realtime)
// dotnet run -c Release --project bench/CohortSync.LoadHarness -- --scenarios 9 [--members 2000000]   (member file upload)
// dotnet run -c Release --project bench/CohortSync.LoadHarness -- --scenarios 10 [--members 2000000]   (reconcile of a pre-existing list)
// See docs/benchmarks.md for what each scenario does and the figures it printed; the soak's are in docs/reliability.md,
// the PostgreSQL footprint (--storage postgres, scenario 7) in docs/capacity.md.
if (HarnessUsage.Parse(args, out var exitCode) is not { } options) return exitCode;
var table = new ResultTable();
Console.WriteLine($"# CohortSync load harness — {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {MachineFacts.MemoryGb():0.#} GB, load {MachineFacts.LoadAverage()}, storage {options.Storage}");

// One throwaway server for every world that needs PostgreSQL; each world makes its own database on it.
PostgresFixture? postgres = null;
if (options.Storage == StorageBackend.Postgres || options.Scenarios.Contains(7))
{
    postgres = new PostgresFixture();
    await postgres.InitializeAsync();
}
var storage = options.Storage == StorageBackend.Postgres ? postgres : null;
try
{
    if (options.Scenarios.Overlaps([1, 2, 3]))
    {
        await using var world = await TenantProjects.StartWorldAsync(options, storage);
        await using var footprint = PostgresFootprint.Watch(world);
        await SayWhyTheSiloDiedAsync(world, new BigCohortScenarios(world, options, table).RunAsync);
        if (footprint is not null) await footprint.ReportAsync(table, "1–3 on PostgreSQL", syncs: 1, members: options.Members);
    }
    if (options.Scenarios.Contains(5)) await new PostgresDiffScenario(options, table).RunAsync();
    if (options.Scenarios.Contains(4))
    {
        await using var world = await TenantProjects.StartWorldAsync(options, storage);
        await using var footprint = PostgresFootprint.Watch(world);
        await SayWhyTheSiloDiedAsync(world, new ManySyncsScenario(world, options, table).RunAsync);
        if (footprint is not null) await footprint.ReportAsync(table, "4 on PostgreSQL", syncs: options.Syncs, members: (long)options.Syncs * options.MembersPerSync);
    }
    if (options.Scenarios.Contains(6)) await ChaosSoakScenario.RunAsync(options, table);
    if (options.Scenarios.Contains(7))
    {
        await using var world = await TenantProjects.StartWorldAsync(options, postgres);
        await SayWhyTheSiloDiedAsync(world, new IdShapesScenario(world, options, table).RunAsync);
    }
    if (options.Scenarios.Contains(8))
    {
        await using var world = await TenantProjects.StartWorldAsync(options, storage);
        await new WebhookScenario(world, options, table).RunAsync();
    }
    if (options.Scenarios.Contains(9))
    {
        await using var world = await TenantProjects.StartWorldAsync(options, storage);
        await new UploadScenario(world, options, table).RunAsync();
    }
    if (options.Scenarios.Contains(10))
    {
        await using var world = await TenantProjects.StartWorldAsync(options, storage);
        await SayWhyTheSiloDiedAsync(world, new ReconcileScenario(world, options, table).RunAsync);
    }
}
finally
{
    if (postgres is not null) await postgres.DisposeAsync();
}

Console.WriteLine();
Console.WriteLine($"load average at the end: {MachineFacts.LoadAverage()}");
table.Print(Console.Out);

// A scenario that fails because its silo exited prints the silo's exit code and the end of its output first.
static async Task SayWhyTheSiloDiedAsync(World world, Func<Task> scenario)
{
    try
    {
        await scenario();
    }
    catch (Exception)
    {
        foreach (var silo in world.Silos.Where(s => s.Crashed))
            Console.Error.WriteLine($"silo {silo.Name} exited with code {silo.ExitCode}; its last output:\n{silo.Output}");
        throw;
    }
}
return 0;
