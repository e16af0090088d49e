using CohortSync.Silo.Api;
using CohortSync.Silo.WebConsole;
using CohortSync.Storage;
using CohortSync.Storage.Migrations;

namespace CohortSync.Silo;

/// <summary>Builds the silo host: configuration, storage, Orleans, the engine, HTTP endpoints.</summary>
public static class CohortSyncSilo
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? customize = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCohortSyncSources(args);
        customize?.Invoke(builder);
        var settings = SiloSettings.From(builder.Configuration);

        Directory.CreateDirectory(Path.GetFullPath(settings.DataDir));
        if (settings.MigrateOnStart) await MigrateAsync(settings, ct);

        builder.AddCohortSyncOrleans(settings);
        builder.AddCohortSyncEngine(settings);
        builder.AddCohortSyncTelemetry();
        builder.AddCohortSyncWebhooks();
        builder.AddCohortSyncApi();
        builder.AddCohortSyncDashboard();
        var host = settings.HttpAddress.Contains(':') ? $"[{settings.HttpAddress}]" : settings.HttpAddress;
        builder.WebHost.UseUrls($"http://{host}:{settings.HttpPort}");

        var app = builder.Build();
        app.MapCohortSyncApi();
        app.MapCohortSyncDashboard();
        app.MapCohortSyncConsole();
        app.MapCohortSyncHealth();
        app.MapCohortSyncMetrics();
        app.MapCohortSyncWebhooks();
        // Started means every hosted service is, Orleans' silo included: it is an active member and its gateway is open.
        app.Lifetime.ApplicationStarted.Register(() => Console.Out.Write(ReadyBanner.For(settings)));
        return app;
    }

    public static Task<MigrationReport> MigrateAsync(SiloSettings settings, CancellationToken ct) =>
        new DatabaseMigrator().MigrateAsync(
            settings.Storage == StorageKind.Sqlite ? StorageBackend.Sqlite : StorageBackend.Postgres,
            settings.Storage == StorageKind.Sqlite ? SqliteConnectionStrings.ForFile(settings.SqlitePath) : settings.Postgres!,
            ct);
}
