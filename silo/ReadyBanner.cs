using System.Data.Common;
using System.Globalization;
using System.Text;

namespace CohortSync.Silo;

/// <summary>
/// What the silo prints once, when it is ready: where it listens, where it keeps its data, and the client command to
/// try next. Never a secret: a PostgreSQL connection string is shown as its host and database only.
/// </summary>
public static class ReadyBanner
{
    public static string For(SiloSettings settings)
    {
        var gateway = $"{(settings.Storage == StorageKind.Sqlite || settings.Kubernetes ? "127.0.0.1" : settings.AdvertisedAddress)}:{settings.GatewayPort}";
        var host = settings.HttpAddress.Contains(':') ? $"[{settings.HttpAddress}]" : settings.HttpAddress;
        var tls = settings.TlsCertificate is null ? "" : " --tls-certificate <client.pfx> --tls-ca <ca.crt>";
        var text = new StringBuilder()
            .AppendLine("cohortsync silo ready")
            .AppendLine(Line("gateway", $"{gateway} (clients: --gateway or COHORTSYNC_GATEWAY){(tls.Length > 0 ? ", TLS" : "")}"))
            .AppendLine(Line("silo port", settings.SiloPort.ToString(CultureInfo.InvariantCulture) + " (silo to silo)"))
            .AppendLine(Line("http", $"http://{host}:{settings.HttpPort} (/health/ready, /metrics, Amplitude webhooks)"))
            .AppendLine(Line("storage", Storage(settings)))
            .AppendLine(Line("data", Path.GetFullPath(settings.DataDir)))
            .AppendLine(Line("try next", $"AMPLITUDE_API_KEY=… AMPLITUDE_SECRET_KEY=… cohortsync project enable <project> --gateway {gateway}{tls}"));
        return text.ToString();
    }

    private static string Line(string label, string value) => $"  {label,-10} {value}";

    private static string Storage(SiloSettings settings)
    {
        if (settings.Storage == StorageKind.Sqlite) return $"sqlite, {settings.SqlitePath}";
        var parts = new DbConnectionStringBuilder();
        try { parts.ConnectionString = settings.Postgres; }
        catch (ArgumentException) { return "postgresql"; }
        string? Part(string key) => parts.TryGetValue(key, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
        var server = Part("Host") ?? Part("Server") ?? "localhost";
        var port = Part("Port");
        var database = Part("Database") ?? Part("Username") ?? "";
        return $"postgresql, {server}{(port is null ? "" : ":" + port)}/{database}";
    }
}
