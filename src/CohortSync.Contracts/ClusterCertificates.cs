using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CohortSync.Contracts;

/// <summary>
/// The certificates of a cluster that runs with mutual TLS, as both ends open and judge them: a silo and the
/// client load their own certificate and the cluster's CA the same way, and accept a peer by the same rule.
/// </summary>
public static class ClusterCertificates
{
    /// <summary>The password of a <c>--tls-certificate</c> file: from the environment or standard input, never an argument.</summary>
    public const string PasswordVariable = "COHORTSYNC_TLS_CERTIFICATE_PASSWORD";

    /// <summary>
    /// Opens this end's PKCS#12 (.pfx) file. Without <paramref name="password"/>, a file that opens without one is
    /// taken as it is; otherwise <paramref name="readPassword"/> is asked (stdin, a hidden prompt) once.
    /// </summary>
    public static X509Certificate2 OpenOwn(string path, string? password, Func<string?> readPassword)
    {
        try
        {
            if (password is null && OpensWithoutPassword(path)) return X509CertificateLoader.LoadPkcs12FromFile(path, null);
            password ??= readPassword() is { } line && !string.IsNullOrWhiteSpace(line)
                ? line.Trim()
                : throw new ClusterCertificateException($"--tls-certificate {path} needs a password: set {PasswordVariable} or pass it on the first line of standard input");
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
            return certificate.HasPrivateKey
                ? certificate
                : throw new ClusterCertificateException($"--tls-certificate {path} holds no private key: export the certificate with its key (.pfx)");
        }
        catch (CryptographicException ex)
        {
            throw new ClusterCertificateException($"--tls-certificate {path} could not be opened ({ex.Message.TrimEnd('.')}): is it a .pfx file, and is the password in {PasswordVariable} right?");
        }
    }

    /// <summary>Opens the certificate (PEM or DER) of the CA that signs every silo's and client's certificate.</summary>
    public static X509Certificate2 OpenAuthority(string path)
    {
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (CryptographicException ex)
        {
            throw new ClusterCertificateException($"--tls-ca {path} is not a certificate (PEM or DER): {ex.Message.TrimEnd('.')}");
        }
    }

    /// <summary>
    /// Peers are reached by IP address, so the name on a certificate is not what makes it the cluster's: being
    /// signed by the cluster's CA (or, without one, by a root the system trusts) is.
    /// </summary>
    public static bool IsTheClusters(X509Certificate2? remote, X509Certificate2? authority, SslPolicyErrors errors)
    {
        if (remote is null) return false;
        if (authority is null) return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(remote);
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
}

/// <summary>A certificate file that cannot be used; the message names the option and what to fix.</summary>
public sealed class ClusterCertificateException(string message) : Exception(message);
