using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace CohortSync.Silo;

/// <summary>What a silo adds past one machine: Kubernetes pod hosting and mutual TLS between silos and clients.</summary>
public static class ClusterHosting
{
    /// <summary>
    /// Orleans' Kubernetes hosting: the silo is named after its pod and silos of deleted pods are declared dead at
    /// once. Clustering, ports and ids stay ours (the manifests set the pod's ids to the same values).
    /// </summary>
    public static ISiloBuilder UseCohortSyncKubernetes(this ISiloBuilder silo, SiloSettings settings)
    {
        if (!settings.Kubernetes) return silo;
        var missing = SiloSettings.KubernetesEnvironment.Where(v => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))).ToList();
        if (missing.Count > 0)
            throw new SiloConfigurationException(
                $"--kubernetes needs {string.Join(", ", missing)} from the pod (the downward API; see deploy/kubernetes/silo.yaml)");
        return silo.UseKubernetesHosting();
    }

    /// <summary>
    /// With <c>--tls-certificate</c>, every silo-to-silo and gateway connection is TLS and both ends must show a
    /// certificate the CA signed: a gateway refuses clients without one.
    /// </summary>
    public static ISiloBuilder UseCohortSyncTls(this ISiloBuilder silo, SiloSettings settings)
    {
        if (settings.TlsCertificate is null) return silo;
        var certificate = LoadCertificate(settings.TlsCertificate);
        var authority = settings.TlsCa is null ? null : LoadAuthority(settings.TlsCa);
        return silo.UseTls(certificate, tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (remote, _, errors) => IsSignedBy(remote, authority, errors);
        });
    }

    /// <summary>
    /// Peers are reached by IP address, so the name on a certificate is not what makes it a member:
    /// being signed by the cluster's CA (or, without <c>--tls-ca</c>, by a root the system trusts) is.
    /// </summary>
    private static bool IsSignedBy(X509Certificate2? remote, X509Certificate2? authority, SslPolicyErrors errors)
    {
        if (remote is null) return false;
        if (authority is null) return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(remote);
    }

    private static X509Certificate2 LoadCertificate(string path)
    {
        var password = Environment.GetEnvironmentVariable(SiloSettings.TlsPasswordEnvironment);
        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password ?? ReadPasswordFromStandardInput(path));
        }
        catch (CryptographicException ex)
        {
            throw new SiloConfigurationException($"--tls-certificate {path} could not be opened ({ex.Message.TrimEnd('.')}): is it a .pfx file, and is the password in {SiloSettings.TlsPasswordEnvironment} right?");
        }
    }

    /// <summary>A certificate without a password opens as it is; one with a password takes the first line of stdin.</summary>
    private static string? ReadPasswordFromStandardInput(string path)
    {
        if (OpensWithoutPassword(path)) return null;
        return Console.In.ReadLine()?.Trim()
            ?? throw new SiloConfigurationException($"--tls-certificate {path} needs a password: set {SiloSettings.TlsPasswordEnvironment} or pass it on standard input");
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
            throw new SiloConfigurationException($"--tls-ca {path} is not a certificate (PEM or DER): {ex.Message.TrimEnd('.')}");
        }
    }
}
