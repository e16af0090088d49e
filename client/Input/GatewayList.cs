using System.Globalization;

namespace CohortSync.Client.Input;

/// <summary>A gateway as the operator wrote it: a host name or IP address and a port.</summary>
public sealed record GatewayAddress(string Host, int Port)
{
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>Parses <c>host:port</c>, <c>1.2.3.4:port</c> or <c>[::1]:port</c>.</summary>
    public static bool TryParse(string text, out GatewayAddress address, out string error)
    {
        address = null!;
        text = text.Trim();
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"gateway '{text}' is not host:port";
            return false;
        }
        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        else if (host.Contains(':'))
        {
            error = $"gateway '{text}': write IPv6 addresses in brackets, e.g. [::1]:30000";
            return false;
        }
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"gateway '{text}': the port must be a number from 1 to 65535";
            return false;
        }
        if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            error = $"gateway '{text}': '{host}' is not a host name or IP address";
            return false;
        }
        address = new GatewayAddress(host, port);
        error = "";
        return true;
    }
}

/// <summary>Which gateways to talk to: <c>--gateway</c> options, else <c>COHORTSYNC_GATEWAY</c>, else the local silo.</summary>
public static class GatewayList
{
    public const string EnvironmentVariable = "COHORTSYNC_GATEWAY";

    /// <summary>The silo's default gateway port on this machine.</summary>
    public static readonly GatewayAddress LocalDefault = new("127.0.0.1", 30000);

    public static bool TryParse(IEnumerable<string> values, out IReadOnlyList<GatewayAddress> gateways, out string error)
    {
        var parsed = new List<GatewayAddress>();
        gateways = parsed;
        error = "";
        // Each value may itself be a comma-separated list, like the environment variable.
        foreach (var part in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!GatewayAddress.TryParse(part, out var address, out error)) return false;
            if (!parsed.Contains(address)) parsed.Add(address);
        }
        return true;
    }

    /// <summary>The gateways for this command; throws a usage error naming where a bad address came from.</summary>
    public static IReadOnlyList<GatewayAddress> Resolve(IReadOnlyList<string> fromOptions, string? fromEnvironment)
    {
        if (fromOptions.Count > 0)
        {
            return TryParse(fromOptions, out var gateways, out var error) && gateways.Count > 0
                ? gateways
                : throw new Cli.UsageException(error.Length > 0 ? error : "--gateway needs host:port");
        }
        if (fromEnvironment is not null)
        {
            return TryParse([fromEnvironment], out var gateways, out var error) && gateways.Count > 0
                ? gateways
                : throw new Cli.UsageException($"{EnvironmentVariable}: {(error.Length > 0 ? error : "no gateway given")}");
        }
        return [LocalDefault];
    }
}
