using CohortSync.Silo;

// cohortsync silo: `dotnet run --project silo [-- options]`; `… -- migrate [options]` applies the schema and exits;
// `… -- health [options]` exits 0 when the silo with these options is ready (container health checks).
try
{
    if (args.FirstOrDefault() == "migrate") return await MigrateCommand.RunAsync(args[1..], CancellationToken.None);
    if (args.FirstOrDefault() == "health") return await HealthCommand.RunAsync(args[1..]);

    var app = await CohortSyncSilo.BuildAsync(args);
    await app.RunAsync();
    return 0;
}
catch (SiloConfigurationException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
