using CohortSync.LoadHarness;
using CohortSync.Testing;

// dotnet run -c Release --project bench/CohortSync.LoadHarness -- --scenarios 1,2,3,5 [--members 2000000]
// dotnet run -c Release --project bench/CohortSync.LoadHarness -- --scenarios 4 --syncs 10000 --period 10m
// dotnet run -c Release --project bench/CohortSync.LoadHarness -- --scenarios 6 [--syncs 200] [--soak 10m]   (chaos soak)
// dotnet run -c Release --project bench/CohortSync.LoadHarness -- --scenarios 8 [--webhook-rate 50] [--webhook-for 60s]   (realtime)
// dotnet run -c Release --project bench/CohortSync.LoadHarness -- --scenarios 9 [--members 2000000]   (member file upload)
// See docs/benchmarks.md for what each scenario does and the figures it printed; the soak's are in docs/reliability.md.
var options = HarnessOptions.Parse(args);
var table = new ResultTable();
Console.WriteLine($"# CohortSync load harness — {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {MachineFacts.MemoryGb():0.#} GB, load {MachineFacts.LoadAverage()}");

if (options.Scenarios.Overlaps([1, 2, 3]))
{
    await using var world = await TenantProjects.StartWorldAsync(options);
    await new BigCohortScenarios(world, options, table).RunAsync();
}
if (options.Scenarios.Contains(5)) await new PostgresDiffScenario(options, table).RunAsync();
if (options.Scenarios.Contains(4))
{
    await using var world = await TenantProjects.StartWorldAsync(options);
    await new ManySyncsScenario(world, options, table).RunAsync();
}
if (options.Scenarios.Contains(6)) await ChaosSoakScenario.RunAsync(options, table);
if (options.Scenarios.Contains(8))
{
    await using var world = await TenantProjects.StartWorldAsync(options);
    await new WebhookScenario(world, options, table).RunAsync();
}
if (options.Scenarios.Contains(9))
{
    await using var world = await TenantProjects.StartWorldAsync(options);
    await new UploadScenario(world, options, table).RunAsync();
}

Console.WriteLine();
Console.WriteLine($"load average at the end: {MachineFacts.LoadAverage()}");
table.Print(Console.Out);
