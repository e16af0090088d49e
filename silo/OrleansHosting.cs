using CohortSync.Grains;
using CohortSync.Grains.Secrets;
using CohortSync.Storage;
using CohortSync.Storage.Refused;
using CohortSync.Storage.Snapshots;
using CohortSync.Storage.Uploads;
using CohortSync.Storage.Webhooks;
using Orleans.Configuration;

namespace CohortSync.Silo;

public static class OrleansHosting
{
    /// <summary>How fast a dead silo is noticed: Orleans' <see cref="ClusterMembershipOptions"/> bound from here.</summary>
    public const string MembershipSection = "CohortSync:Membership";

    /// <summary>Orleans on the chosen backend: clustering, grain storage and durable reminders.</summary>
    public static WebApplicationBuilder AddCohortSyncOrleans(this WebApplicationBuilder builder, SiloSettings settings)
    {
        var (invariant, connectionString) = settings.Storage == StorageKind.Sqlite
            ? (OrleansAdoNet.SqliteInvariant, SqliteConnectionStrings.ForFile(settings.SqlitePath))
            : (OrleansAdoNet.PostgresInvariant, settings.Postgres!);

        builder.UseOrleans(silo =>
        {
            if (settings.Storage == StorageKind.Sqlite)
            {
                silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
            }
            else
            {
                silo.Configure<ClusterOptions>(o => { o.ClusterId = settings.ClusterId; o.ServiceId = settings.ServiceId; });
                silo.UseAdoNetClustering(o => { o.Invariant = invariant; o.ConnectionString = connectionString; });
                silo.ConfigureEndpoints(ClusterHosting.AdvertisedAddress(settings), settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);
            }
            silo.AddAdoNetGrainStorage(StorageNames.Main, o => { o.Invariant = invariant; o.ConnectionString = connectionString; });
            silo.UseAdoNetReminderService(o => { o.Invariant = invariant; o.ConnectionString = connectionString; });
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = settings.MinimumReminderPeriod);
            // Orleans' own names (ProbeTimeout, NumMissedProbesLimit, …); unset keys keep Orleans' defaults.
            silo.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(MembershipSection));
            silo.UseCohortSyncTls(settings);
            silo.UseCohortSyncKubernetes(settings);
        });
        return builder;
    }

    /// <summary>The engine plus what depends on this host: the secret key and the snapshot store of the chosen backend.</summary>
    public static WebApplicationBuilder AddCohortSyncEngine(this WebApplicationBuilder builder, SiloSettings settings)
    {
        builder.Services.AddCohortSyncEngine(builder.Configuration);
        builder.Services.AddSingleton(new SecretProtector(LoadSecretKey(settings)));
        builder.Services.AddSingleton<ISnapshotStore>(settings.Storage == StorageKind.Sqlite
            ? new SqliteSnapshotStore(SqliteConnectionStrings.ForFile(settings.SqlitePath))
            : new PostgresSnapshotStore(settings.Postgres!));
        builder.Services.AddSingleton<IWebhookStore>(settings.Storage == StorageKind.Sqlite
            ? new SqliteWebhookStore(SqliteConnectionStrings.ForFile(settings.SqlitePath))
            : new PostgresWebhookStore(settings.Postgres!));
        builder.Services.AddSingleton<IUploadStore>(settings.Storage == StorageKind.Sqlite
            ? SqlUploadStore.Sqlite(SqliteConnectionStrings.ForFile(settings.SqlitePath))
            : SqlUploadStore.Postgres(settings.Postgres!));
        builder.Services.AddSingleton<IRefusedMemberStore>(settings.Storage == StorageKind.Sqlite
            ? SqlRefusedMemberStore.Sqlite(SqliteConnectionStrings.ForFile(settings.SqlitePath))
            : SqlRefusedMemberStore.Postgres(settings.Postgres!));
        return builder;
    }

    private static byte[] LoadSecretKey(SiloSettings settings)
    {
        // Every silo of a cluster must decrypt what any other silo encrypted: no per-silo generated key there.
        if (settings.Storage == StorageKind.Postgres && settings.SecretKey is null && (settings.SecretKeyFile is null || !File.Exists(settings.SecretKeyFile)))
            throw new SiloConfigurationException(
                $"a cluster needs one secret key shared by every silo: set {SiloSettings.SecretKeyEnvironment} (base64 of 32 random bytes, e.g. `openssl rand -base64 32`) or --secret-key-file with an existing file");
        try
        {
            return SecretProtector.LoadOrCreateKey(settings.SecretKey, settings.SecretKeyPath);
        }
        catch (InvalidOperationException ex)
        {
            throw new SiloConfigurationException(ex.Message);
        }
    }
}
