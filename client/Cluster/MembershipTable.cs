using System.Data.Common;
using CohortSync.Client.Cli;
using CohortSync.Client.Input;

namespace CohortSync.Client.Cluster;

/// <summary>
/// The silos' PostgreSQL membership table, for finding the gateways instead of naming them: every active
/// silo is listed there with its gateway port, so a client follows the cluster as silos come and go.
/// </summary>
public sealed record MembershipTable(string ConnectionString)
{
    public const string EnvironmentVariable = "COHORTSYNC_POSTGRES";

    /// <summary>
    /// The table named by <c>--postgres</c> (its value, else <see cref="EnvironmentVariable"/>), or null when the
    /// option is absent. A password on the command line is refused: it would land in shell history and process lists.
    /// </summary>
    public static MembershipTable? Resolve(bool given, string? fromOption, bool gatewaysGiven, CliEnvironment environment)
    {
        if (!given) return null;
        if (gatewaysGiven) throw new UsageException("use either --gateway or --postgres, not both");
        if (fromOption is not null)
        {
            if (HasPassword(fromOption))
                throw new UsageException($"--postgres must not carry the password; set PGPASSWORD, or put the whole connection string in {EnvironmentVariable}");
            return new MembershipTable(fromOption);
        }
        return environment.Variable(EnvironmentVariable) is { } fromEnvironment
            ? new MembershipTable(fromEnvironment)
            : throw new UsageException($"--postgres needs a connection string, as its value or in {EnvironmentVariable}");
    }

    /// <summary>Where the table lives, for messages: host and port only, never the credentials.</summary>
    public GatewayAddress Where()
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = ConnectionString };
        var host = builder.TryGetValue("Host", out var h) || builder.TryGetValue("Server", out h) ? h?.ToString() : null;
        var port = builder.TryGetValue("Port", out var p) && int.TryParse(p?.ToString(), out var number) ? number : 5432;
        return new GatewayAddress(string.IsNullOrWhiteSpace(host) ? "localhost" : host.Split(',')[0], port);
    }

    private static bool HasPassword(string connectionString)
    {
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            return builder.ContainsKey("Password") || builder.ContainsKey("Pwd");
        }
        catch (ArgumentException)
        {
            throw new UsageException("--postgres: not a connection string (expected Host=…;Database=…;Username=…)");
        }
    }

    public override string ToString() => $"the membership table at {Where()}";
}
