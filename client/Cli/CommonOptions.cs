using System.CommandLine;
using CohortSync.Client.Cluster;
using CohortSync.Client.Http;
using CohortSync.Client.Input;

namespace CohortSync.Client.Cli;

/// <summary>Options every command takes, declared once on the root and inherited by all subcommands.</summary>
public sealed class CommonOptions
{
    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print one JSON document on stdout instead of text (errors too).",
        Recursive = true,
    };

    public Option<string[]> Gateway { get; } = CreateGateway();

    /// <summary>Find the gateways in the silos' membership table instead of naming them.</summary>
    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = $"Find the gateways in the cluster's PostgreSQL membership table instead of --gateway. The value is a "
            + $"connection string without a password (the password comes from PGPASSWORD); with no value, {MembershipTable.EnvironmentVariable}. "
            + $"The cluster id is {ClusterIdentity.ClusterIdVariable} (default {ClusterIdentity.DefaultId}).",
        HelpName = "connection-string",
        Arity = ArgumentArity.ZeroOrOne,
        Recursive = true,
    };

    /// <summary>The cluster's HTTP API instead of its gateways (operators outside the cluster network).</summary>
    public Option<string?> Api { get; } = new("--api")
    {
        Description = $"Talk to the cluster's HTTP API at this URL (https://host:8080) instead of its gateways. Default: {HttpApiConnector.ApiVariable} "
            + $"when no --gateway or --postgres is given. The bearer token comes from {HttpApiConnector.TokenVariable}, never the command line.",
        HelpName = "url",
        Recursive = true,
    };

    /// <summary>The client's certificate for a cluster that runs with TLS (its gateways require one).</summary>
    public Option<string?> TlsCertificate { get; } = new("--tls-certificate")
    {
        Description = $"A .pfx file with this client's certificate, for a cluster whose gateways require TLS. Default: {ClientTls.CertificateVariable}. "
            + $"Its password comes from {ClientTls.PasswordVariable} or the first line of standard input, never the command line.",
        HelpName = "pfx",
        Recursive = true,
    };

    /// <summary>The cluster's CA: a gateway's certificate must be signed by it.</summary>
    public Option<string?> TlsCa { get; } = new("--tls-ca")
    {
        Description = $"The certificate (PEM or DER) of the CA that signs the cluster's certificates. Default: {ClientTls.AuthorityVariable}, else the system's trusted roots.",
        HelpName = "certificate",
        Recursive = true,
    };

    private static Option<string[]> CreateGateway()
    {
        var option = new Option<string[]>("--gateway")
        {
            Description = $"A gateway of the cluster, host:port; repeatable. Default: {GatewayList.EnvironmentVariable} "
                + $"(comma-separated), else {GatewayList.LocalDefault}.",
            HelpName = "host:port",
            Recursive = true,
        };
        option.Validators.Add(result =>
        {
            if (!GatewayList.TryParse(result.GetValueOrDefault<string[]>() ?? [], out _, out var error)) result.AddError(error);
        });
        return option;
    }
}
