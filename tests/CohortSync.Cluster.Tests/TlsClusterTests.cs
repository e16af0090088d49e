using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CohortSync.Client.Cluster;
using CohortSync.Cluster.Tests.Harness;
using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Cluster.Tests;

/// <summary>
/// Silos on PostgreSQL with <c>--tls-certificate</c>/<c>--tls-ca</c>, certificates made by the test: silos form a cluster
/// over TLS, the real <c>cohortsync</c> client with a certificate of the cluster's CA is served, and one without a
/// certificate, or with a certificate of another CA, is refused with a one-line error.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class TlsClusterTests(PostgresFixture postgres) : IDisposable
{
    private const int Active = 3;
    private readonly TempDirectory _files = new("cohortsync-tls-");
    private readonly TestAuthority _cluster = new("CohortSync test cluster CA");
    private readonly TestAuthority _stranger = new("Some other CA");

    [Fact]
    public async Task Two_silos_with_certificates_form_a_cluster_and_a_certified_client_enables_a_project()
    {
        await using var cluster = await StartAsync(silos: 2);

        foreach (var silo in cluster.Silos) Assert.Equal(Active, await cluster.MembershipStatusAsync(silo));
        var client = ClientFiles(_cluster, "client");
        var enable = await CliAsync(cluster, ["project", "enable", World.ProjectId, "--amplitude-url", cluster.Sandbox.BaseUrl.ToString(), .. client],
            $"{World.AmplitudeKey}\n{World.AmplitudeSecret}\n");
        Assert.True(enable.ExitCode == 0, enable.Stderr);
        var show = await CliAsync(cluster, ["project", "show", World.ProjectId, "--json", .. client]);
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Contains("\"enabled\": true", show.Stdout);
    }

    [Fact]
    public async Task Silo_port_speaks_tls_and_requires_a_certificate_of_the_cluster_ca()
    {
        await using var cluster = await StartAsync(silos: 1);
        var silo = cluster.Silos[0];

        Assert.True(await ConnectsAsync(silo.SiloPort, _cluster.Issue("peer", silo: true)));
        Assert.False(await ConnectsAsync(silo.SiloPort, null));
        Assert.False(await ConnectsAsync(silo.SiloPort, _stranger.Issue("peer", silo: true)));
    }

    [Fact]
    public async Task Client_without_a_certificate_is_refused_and_told_the_cluster_requires_tls()
    {
        await using var cluster = await StartAsync(silos: 1);

        var result = await CliAsync(cluster, ["project", "show", World.ProjectId]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("cannot reach the CohortSync cluster", result.Stderr);
        Assert.Contains("--tls-certificate", result.Stderr);
    }

    [Fact]
    public async Task Client_with_a_certificate_of_another_ca_is_refused()
    {
        await using var cluster = await StartAsync(silos: 1);

        var result = await CliAsync(cluster, ["project", "show", World.ProjectId, .. ClientFiles(_stranger, "stranger")]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("cannot reach the CohortSync cluster", result.Stderr);
        Assert.Contains("signed by the cluster's CA", result.Stderr);
    }

    private async Task<World> StartAsync(int silos)
    {
        var silo = Write(_cluster.Issue("silo", silo: true), "silo.pfx");
        var tls = new ClientTls(_cluster.Issue("test-client", silo: false), _cluster.Certificate);
        return await World.StartAsync(new WorldOptions
        {
            Storage = StorageUnderTest.Postgres(postgres),
            Hosting = SiloHosting.Processes,
            Silos = silos,
            SiloArgs = ["--tls-certificate", silo, "--tls-ca", AuthorityFile()],
            SiloEnvironment = new Dictionary<string, string?> { [ClientTls.PasswordVariable] = TestAuthority.Password },
            ConfigureClient = client => tls.ApplyTo(client),
        });
    }

    /// <summary>The client process as an operator runs it: gateways from the membership table, the password in the environment.</summary>
    private static Task<ProcessResult> CliAsync(World cluster, string[] args, string stdin = "") =>
        ChildProcess.RunAsync(ChildProcess.Client, [.. args, "--postgres"], new Dictionary<string, string?>
        {
            ["COHORTSYNC_POSTGRES"] = cluster.ConnectionString,
            ["COHORTSYNC_CLUSTER_ID"] = cluster.ClusterId,
            ["COHORTSYNC_SERVICE_ID"] = SiloCluster.ServiceId,
            [ClientTls.PasswordVariable] = TestAuthority.Password,
        }, stdin, TimeSpan.FromMinutes(1));

    private string[] ClientFiles(TestAuthority authority, string name) =>
        ["--tls-certificate", Write(authority.Issue(name, silo: false), $"{name}.pfx"), "--tls-ca", AuthorityFile()];

    private string AuthorityFile()
    {
        var path = _files.File("cluster-ca.pem");
        if (!File.Exists(path)) File.WriteAllText(path, _cluster.Certificate.ExportCertificatePem());
        return path;
    }

    private string Write(X509Certificate2 certificate, string name)
    {
        var path = _files.File(name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, TestAuthority.Password));
        return path;
    }

    /// <summary>
    /// A TLS connection to the silo port, as another silo opens one; true if the silo accepted it. The server judges a
    /// client's certificate after its side of the handshake is done, so the answer is what comes next: the silo's
    /// preamble (Orleans' first bytes) when it accepted, an alert or a closed connection when it did not.
    /// </summary>
    private async Task<bool> ConnectsAsync(int port, X509Certificate2? certificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream());
        using var backstop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                ClientCertificates = certificate is null ? null : [certificate],
                RemoteCertificateValidationCallback = (_, remote, _, _) =>
                    remote is X509Certificate2 peer && ClusterCertificates.IsTheClusters(peer, _cluster.Certificate, SslPolicyErrors.None),
            }, backstop.Token);
            var first = new byte[1];
            return await tls.ReadAsync(first, backstop.Token) > 0;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return false;
        }
    }

    public void Dispose() => _files.Dispose();

    /// <summary>A CA made for one test, which issues silo certificates (server and client use) and client certificates.</summary>
    private sealed class TestAuthority
    {
        public const string Password = "test-pfx-password";
        private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public TestAuthority(string name)
        {
            var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        }

        public X509Certificate2 Certificate { get; }

        public X509Certificate2 Issue(string name, bool silo)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            // A silo is both ends of a TLS connection (it dials other silos); a client only dials.
            var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") };
            if (silo) usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
            using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), RandomNumberGenerator.GetBytes(16));
            // Reloaded from PKCS#12 so the key is usable by SslStream on every platform, as a file-loaded one is.
            using var withKey = issued.CopyWithPrivateKey(key);
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12, Password), Password);
        }
    }
}
