using System.Net;

namespace CohortSync.Silo;

public enum StorageKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Where and how this silo runs. Every setting has a command-line option and an environment variable
/// (the table below is the README's); command line wins over environment, environment over defaults.
/// </summary>
public sealed record SiloSettings
{
    public static readonly IReadOnlyList<(string Option, string Environment, string Key)> Sources =
    [
        ("--data-dir", "COHORTSYNC_DATA_DIR", "CohortSync:DataDir"),
        ("--silo-port", "COHORTSYNC_SILO_PORT", "CohortSync:SiloPort"),
        ("--gateway-port", "COHORTSYNC_GATEWAY_PORT", "CohortSync:GatewayPort"),
        ("--http-port", "COHORTSYNC_HTTP_PORT", "CohortSync:HttpPort"),
        ("--http-address", "COHORTSYNC_HTTP_ADDRESS", "CohortSync:HttpAddress"),
        ("--storage", "COHORTSYNC_STORAGE", "CohortSync:Storage"),
        ("--postgres", "COHORTSYNC_POSTGRES", "CohortSync:Postgres"),
        ("--cluster-id", "COHORTSYNC_CLUSTER_ID", "CohortSync:ClusterId"),
        ("--service-id", "COHORTSYNC_SERVICE_ID", "CohortSync:ServiceId"),
        ("--advertise", "COHORTSYNC_ADVERTISED_ADDRESS", "CohortSync:AdvertisedAddress"),
        ("--migrate", "COHORTSYNC_MIGRATE", "CohortSync:Migrate"),
        ("--secret-key-file", "COHORTSYNC_SECRET_KEY_FILE", "CohortSync:SecretKeyFile"),
        ("--minimum-reminder-period", "COHORTSYNC_MINIMUM_REMINDER_PERIOD", "CohortSync:MinimumReminderPeriod"),
        ("--kubernetes", "COHORTSYNC_KUBERNETES", "CohortSync:Kubernetes"),
        ("--tls-certificate", "COHORTSYNC_TLS_CERTIFICATE", "CohortSync:TlsCertificate"),
        ("--tls-ca", "COHORTSYNC_TLS_CA", "CohortSync:TlsCa"),
    ];

    /// <summary>Only from the environment (or configuration files): a secret never goes on a command line.</summary>
    public const string SecretKeyEnvironment = "COHORTSYNC_SECRET_KEY";

    /// <summary>What Orleans' Kubernetes hosting reads from the pod (the downward API), checked at start.</summary>
    public static readonly IReadOnlyList<string> KubernetesEnvironment = ["POD_NAME", "POD_NAMESPACE", "POD_IP"];

    public string DataDir { get; init; } = "data";
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    public int HttpPort { get; init; } = 8080;
    /// <summary>Where health and metrics listen: loopback unless asked (a container sets 0.0.0.0).</summary>
    public string HttpAddress { get; init; } = "127.0.0.1";
    public StorageKind Storage { get; init; } = StorageKind.Sqlite;
    public string? Postgres { get; init; }
    public string ClusterId { get; init; } = "cohortsync";
    public string ServiceId { get; init; } = "cohortsync";
    public string AdvertisedAddress { get; init; } = "127.0.0.1";
    public bool? Migrate { get; init; }
    public string? SecretKey { get; init; }
    public string? SecretKeyFile { get; init; }
    public TimeSpan MinimumReminderPeriod { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>Runs in a Kubernetes pod: Orleans follows the pods and removes the silos of deleted ones.</summary>
    public bool Kubernetes { get; init; }
    /// <summary>A PKCS#12 (.pfx) file: TLS between silos and at the gateway, with client certificates required. Its password: <see cref="CohortSync.Contracts.ClusterCertificates.PasswordVariable"/> or stdin.</summary>
    public string? TlsCertificate { get; init; }
    /// <summary>The certificate (PEM or DER) of the CA that signs every silo's and client's certificate; else the system's roots.</summary>
    public string? TlsCa { get; init; }

    public string SqlitePath => Path.Combine(Path.GetFullPath(DataDir), "cohortsync.db");
    public string SecretKeyPath => SecretKeyFile ?? Path.Combine(Path.GetFullPath(DataDir), "secret.key");

    // A record prints every property; the connection string and the key must never reach a log.
    public override string ToString() =>
        $"SiloSettings {{ Storage = {Storage}, DataDir = {DataDir}, SiloPort = {SiloPort}, GatewayPort = {GatewayPort}, HttpPort = {HttpPort}, ClusterId = {ClusterId}, ServiceId = {ServiceId}, Kubernetes = {Kubernetes}, Tls = {TlsCertificate is not null} }}";

    /// <summary>SQLite is migrated at every start (it is ours alone); PostgreSQL only when asked.</summary>
    public bool MigrateOnStart => Migrate ?? Storage == StorageKind.Sqlite;

    public static SiloSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("CohortSync");
        var settings = section.Get<SiloSettings>() ?? new SiloSettings();
        settings = settings with { SecretKey = configuration[SecretKeyEnvironment] ?? section["SecretKey"] };
        settings.Validate();
        return settings;
    }

    public void Validate()
    {
        static void Port(int port, string option)
        {
            if (port is < 1 or > 65535) throw new SiloConfigurationException($"{option} must be a port number between 1 and 65535 (got {port})");
        }
        Port(SiloPort, "--silo-port");
        Port(GatewayPort, "--gateway-port");
        Port(HttpPort, "--http-port");
        if (Storage == StorageKind.Postgres && string.IsNullOrWhiteSpace(Postgres))
            throw new SiloConfigurationException("--storage postgres needs a connection string: --postgres \"Host=…;Database=…;Username=…;Password=…\" or COHORTSYNC_POSTGRES");
        if (!IPAddress.TryParse(AdvertisedAddress, out _))
            throw new SiloConfigurationException($"--advertise must be an IP address (got '{AdvertisedAddress}')");
        if (!IPAddress.TryParse(HttpAddress, out _))
            throw new SiloConfigurationException($"--http-address must be an IP address (got '{HttpAddress}')");
        if (Kubernetes && Storage != StorageKind.Postgres)
            throw new SiloConfigurationException("--kubernetes runs a cluster: it needs --storage postgres");
        if (TlsCertificate is not null && !File.Exists(TlsCertificate))
            throw new SiloConfigurationException($"--tls-certificate: no file at {Path.GetFullPath(TlsCertificate)}");
        if (TlsCa is not null && TlsCertificate is null)
            throw new SiloConfigurationException("--tls-ca only applies with --tls-certificate");
        if (TlsCa is not null && !File.Exists(TlsCa))
            throw new SiloConfigurationException($"--tls-ca: no file at {Path.GetFullPath(TlsCa)}");
    }
}

/// <summary>A setting the operator must fix; the silo prints its message as one line and exits with code 2.</summary>
public sealed class SiloConfigurationException(string message) : Exception(message);
