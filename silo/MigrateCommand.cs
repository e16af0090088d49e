using System.Data.Common;
using CohortSync.Storage;

namespace CohortSync.Silo;

/// <summary>
/// <c>cohortsync-silo migrate [options]</c>: brings the configured database to the newest schema and exits.
/// Safe to run again and from several places at once; a second run applies nothing.
/// </summary>
public static class MigrateCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder().AddCohortSyncSources(args).Build();
        var settings = SiloSettings.From(configuration);
        if (settings.Storage == StorageKind.Sqlite) Directory.CreateDirectory(Path.GetFullPath(settings.DataDir));
        MigrationReport report;
        try
        {
            report = await CohortSyncSilo.MigrateAsync(settings, ct);
        }
        catch (DbException ex)
        {
            // The driver's message names the host and the failure, never the password.
            Console.Error.WriteLine($"error: the {Describe(settings.Storage)} database could not be migrated: {ex.Message}");
            return 1;
        }
        Console.WriteLine(Describe(report));
        return 0;
    }

    public static string Describe(MigrationReport report) =>
        report.ChangedAnything
            ? $"{Describe(report.Backend)} schema migrated to version {report.SchemaVersion} (applied {string.Join(", ", report.Applied)})"
            : $"{Describe(report.Backend)} schema is already at version {report.SchemaVersion}; nothing to apply";

    private static string Describe(StorageKind storage) => storage == StorageKind.Sqlite ? "SQLite" : "PostgreSQL";

    private static string Describe(StorageBackend backend) => backend == StorageBackend.Sqlite ? "SQLite" : "PostgreSQL";
}
