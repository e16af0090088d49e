using CohortSync.Silo;

// cohortsync silo: `dotnet run --project silo [-- options]`, or `… -- migrate [options]` to apply the schema and exit.
try
{
    if (args.FirstOrDefault() == "migrate") return await MigrateCommand.RunAsync(args[1..], CancellationToken.None);

    var app = await CohortSyncSilo.BuildAsync(args);
    await app.RunAsync();
    return 0;
}
catch (SiloConfigurationException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
