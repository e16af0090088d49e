using System.Security.Cryptography.X509Certificates;
using CohortSync.Client.Cli;
using CohortSync.Contracts;
using Orleans.Connections.Security;

namespace CohortSync.Client.Cluster;

/// <summary>
/// The client's side of the cluster's mutual TLS: its own certificate (a .pfx, whose password comes from
/// <see cref="PasswordVariable"/> or the first line of standard input, never an argument) and
/// the CA whose signature makes a gateway's certificate the cluster's.
/// </summary>
public sealed class ClientTls(X509Certificate2 certificate, X509Certificate2? authority)
{
    public const string CertificateVariable = "COHORTSYNC_TLS_CERTIFICATE";
    public const string AuthorityVariable = "COHORTSYNC_TLS_CA";
    public const string PasswordVariable = ClusterCertificates.PasswordVariable;

    /// <summary>The TLS settings of <c>--tls-certificate</c> / <c>--tls-ca</c> (or their variables); null when no certificate is named.</summary>
    public static ClientTls? Resolve(string? certificatePath, string? authorityPath, CliEnvironment environment)
    {
        certificatePath ??= environment.Variable(CertificateVariable);
        authorityPath ??= environment.Variable(AuthorityVariable);
        if (certificatePath is null)
        {
            return authorityPath is null ? null
                : throw new UsageException("--tls-ca needs --tls-certificate: the cluster's gateways only accept clients with a certificate");
        }
        if (!File.Exists(certificatePath)) throw new UsageException($"--tls-certificate: no file at {Path.GetFullPath(certificatePath)}");
        if (authorityPath is not null && !File.Exists(authorityPath)) throw new UsageException($"--tls-ca: no file at {Path.GetFullPath(authorityPath)}");
        try
        {
            var own = ClusterCertificates.OpenOwn(certificatePath, environment.Variable(PasswordVariable), () => ReadPassword(environment));
            return new ClientTls(own, authorityPath is null ? null : ClusterCertificates.OpenAuthority(authorityPath));
        }
        catch (ClusterCertificateException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    /// <summary>Adds TLS to an Orleans client: the certificate is shown to the gateway, the gateway's is checked against the CA.</summary>
    public void ApplyTo(IClientBuilder client) =>
        client.UseTls(certificate, tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (remote, _, errors) => ClusterCertificates.IsTheClusters(remote, authority, errors);
        });

    /// <summary>Wraps the connector that opens Orleans clients; connectors over an existing grain factory stay as they are.</summary>
    public static IClusterConnector Through(IClusterConnector connector, ClientTls? tls) =>
        tls is not null && connector is OrleansClusterConnector orleans ? orleans.WithTls(tls) : connector;

    private static string? ReadPassword(CliEnvironment environment) =>
        environment.InputIsTerminal ? environment.ReadHiddenLine("TLS certificate password: ") : environment.Input.ReadLine();
}
