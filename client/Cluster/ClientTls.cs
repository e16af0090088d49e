using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CohortSync.Client.Cli;
using Orleans.Connections.Security;

namespace CohortSync.Client.Cluster;

/// <summary>
/// The client's side of the cluster's mutual TLS: its own certificate (a .pfx, whose password comes from
/// <see cref="PasswordVariable"/> or the first line of standard input, never an argument) and the CA whose
/// signature makes a gateway's certificate the cluster's.
/// </summary>
public sealed class ClientTls(X509Certificate2 certificate, X509Certificate2? authority)
{
    public const string CertificateVariable = "COHORTSYNC_TLS_CERTIFICATE";
    public const string AuthorityVariable = "COHORTSYNC_TLS_CA";
    public const string PasswordVariable = "COHORTSYNC_TLS_CERTIFICATE_PASSWORD";

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
        return new ClientTls(LoadCertificate(certificatePath, environment), authorityPath is null ? null : LoadAuthority(authorityPath));
    }

    /// <summary>Adds TLS to an Orleans client: the certificate is shown to the gateway, the gateway's is checked against the CA.</summary>
    public void ApplyTo(IClientBuilder client) =>
        client.UseTls(certificate, tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (remote, _, errors) => IsTheClusters(remote, errors);
        });

    /// <summary>Gateways are reached by address, often an IP: the CA's signature, not the name, makes a certificate the cluster's.</summary>
    private bool IsTheClusters(X509Certificate2? remote, SslPolicyErrors errors)
    {
        if (remote is null) return false;
        if (authority is null) return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(remote);
    }

    /// <summary>Wraps the connector that opens Orleans clients; connectors over an existing grain factory stay as they are.</summary>
    public static IClusterConnector Through(IClusterConnector connector, ClientTls? tls) =>
        tls is not null && connector is OrleansClusterConnector orleans ? orleans.WithTls(tls) : connector;

    private static X509Certificate2 LoadCertificate(string path, CliEnvironment environment)
    {
        try
        {
            var password = environment.Variable(PasswordVariable);
            if (password is null && OpensWithoutPassword(path)) return X509CertificateLoader.LoadPkcs12FromFile(path, null);
            password ??= ReadPassword(path, environment);
            return X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException ex)
        {
            throw new UsageException($"--tls-certificate {path} could not be opened ({ex.Message.TrimEnd('.')}): is it a .pfx file, and is the password in {PasswordVariable} right?");
        }
    }

    private static string ReadPassword(string path, CliEnvironment environment)
    {
        var line = environment.InputIsTerminal ? environment.ReadHiddenLine("TLS certificate password: ") : environment.Input.ReadLine();
        return string.IsNullOrWhiteSpace(line)
            ? throw new UsageException($"--tls-certificate {path} needs a password: set {PasswordVariable} or pass it on the first line of standard input")
            : line.Trim();
    }

    private static bool OpensWithoutPassword(string path)
    {
        try
        {
            using var _ = X509CertificateLoader.LoadPkcs12FromFile(path, null);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static X509Certificate2 LoadAuthority(string path)
    {
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (CryptographicException ex)
        {
            throw new UsageException($"--tls-ca {path} is not a certificate (PEM or DER): {ex.Message.TrimEnd('.')}");
        }
    }
}
