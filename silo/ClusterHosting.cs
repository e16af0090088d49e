using System.Net;
using System.Security.Cryptography.X509Certificates;
using CohortSync.Contracts;
using Orleans.Connections.Security;

namespace CohortSync.Silo;

/// <summary>What a silo adds past one machine: Kubernetes pod hosting and mutual TLS between silos and clients.</summary>
public static class ClusterHosting
{
    /// <summary>
    /// Orleans' Kubernetes hosting: the silo is named after its pod and silos of deleted pods are declared dead at
    /// once. Clustering, ports and ids stay ours (the manifests label the pods with the same ids).
    /// </summary>
    public static ISiloBuilder UseCohortSyncKubernetes(this ISiloBuilder silo, SiloSettings settings)
    {
        if (!settings.Kubernetes) return silo;
        PodAddress();
        return silo.UseKubernetesHosting();
    }

    /// <summary>
    /// The address other silos and clients reach this one at. In a pod that is the pod's IP, whatever
    /// <c>--advertise</c> says: Orleans' Kubernetes hosting only fills it in when nothing else did, and ours always does.
    /// </summary>
    public static IPAddress AdvertisedAddress(SiloSettings settings) =>
        settings.Kubernetes ? PodAddress() : IPAddress.Parse(settings.AdvertisedAddress);

    /// <summary>
    /// With <c>--tls-certificate</c>, every silo-to-silo and gateway connection is TLS and both ends must show a
    /// certificate the CA signed: a gateway refuses clients without one.
    /// </summary>
    public static ISiloBuilder UseCohortSyncTls(this ISiloBuilder silo, SiloSettings settings)
    {
        if (settings.TlsCertificate is null) return silo;
        var (certificate, authority) = LoadCertificates(settings.TlsCertificate, settings.TlsCa);
        return silo.UseTls(certificate, tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (remote, _, errors) => ClusterCertificates.IsTheClusters(remote, authority, errors);
        });
    }

    private static IPAddress PodAddress()
    {
        var missing = SiloSettings.KubernetesEnvironment.Where(v => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))).ToList();
        if (missing.Count > 0)
            throw new SiloConfigurationException(
                $"--kubernetes needs {string.Join(", ", missing)} from the pod (the downward API; see deploy/kubernetes/silo.yaml)");
        var podIp = Environment.GetEnvironmentVariable("POD_IP")!;
        return IPAddress.TryParse(podIp, out var address)
            ? address
            : throw new SiloConfigurationException($"POD_IP must be the pod's IP address (got '{podIp}'): set it from status.podIP");
    }

    private static (X509Certificate2 Certificate, X509Certificate2? Authority) LoadCertificates(string certificatePath, string? authorityPath)
    {
        var password = Environment.GetEnvironmentVariable(ClusterCertificates.PasswordVariable);
        try
        {
            var certificate = ClusterCertificates.OpenOwn(certificatePath, string.IsNullOrEmpty(password) ? null : password, () => Console.In.ReadLine());
            return (certificate, authorityPath is null ? null : ClusterCertificates.OpenAuthority(authorityPath));
        }
        catch (ClusterCertificateException ex)
        {
            throw new SiloConfigurationException(ex.Message);
        }
    }
}
