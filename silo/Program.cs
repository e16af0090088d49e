using CohortSync.Silo;

// cohortsync silo: `dotnet run --project silo [-- options]`, or `… -- migrate [options]` to apply the schema and exit.
try
{
    if (args.FirstOrDefault() == "migrate")
    {
        var rest = args[1..];
        var configuration = new ConfigurationBuilder().AddCohortSyncSources(rest).Build();
        var settings = SiloSettings.From(configuration);
        if (settings.Storage == StorageKind.Sqlite) Directory.CreateDirectory(Path.GetFullPath(settings.DataDir));
        var report = await CohortSyncSilo.MigrateAsync(settings, CancellationToken.None);
        Console.WriteLine(report);
        return 0;
    }

    var app = await CohortSyncSilo.BuildAsync(args);
    await app.RunAsync();
    return 0;
}
catch (SiloConfigurationException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
