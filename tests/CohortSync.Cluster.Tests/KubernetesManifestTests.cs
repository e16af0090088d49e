using System.Reflection;
using CohortSync.Cluster.Tests.Harness;
using CohortSync.Contracts;
using CohortSync.Silo;
using CohortSync.Testing;
using Orleans.Hosting.Kubernetes;
using YamlDotNet.RepresentationModel;

namespace CohortSync.Cluster.Tests;

/// <summary>
/// deploy/kubernetes, checked without a Kubernetes cluster: every manifest parses, and what the silo needs (its flags,
/// the variables it reads, its ports and health endpoints, the pod permissions of Orleans' Kubernetes hosting) is there.
/// </summary>
public sealed class KubernetesManifestTests
{
    private const string Base = "deploy/kubernetes/base";
    private const string AppLabel = "app.kubernetes.io/name";

    [Fact]
    public void Base_lists_every_manifest_and_has_the_kinds_a_cluster_needs_in_no_namespace_of_its_own()
    {
        var listed = Sequence(Root(Documents($"{Base}/kustomization.yaml").Single()), "resources");
        var files = Directory.GetFiles(RepositoryFiles.PathOf(Base), "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml");
        Assert.Equal(files.Order(), listed.Order());

        var resources = Resources();
        Assert.Equal(["Deployment", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "ServiceAccount"], resources.Select(r => Scalar(r, "kind")).Order());
        Assert.All(resources, r => Assert.False(Map(r, "metadata").Children.ContainsKey(new YamlScalarNode("namespace")), $"{Name(r)} names a namespace"));

        var overlay = Root(Documents("deploy/kubernetes/example/kustomization.yaml").Single());
        Assert.Equal(["../base"], Sequence(overlay, "resources"));
        Assert.False(string.IsNullOrEmpty(Scalar(overlay, "namespace")));
    }

    [Fact]
    public void Deployment_service_and_disruption_budget_select_the_silo_pods()
    {
        var podLabels = Labels(Map(PodTemplate(), "metadata"));

        Assert.Subset(podLabels, Labels(Map(Map(Deployment(), "spec"), "selector"), "matchLabels"));
        Assert.Subset(podLabels, Labels(Map(Single("Service"), "spec"), "selector"));
        Assert.Subset(podLabels, Labels(Map(Map(Single("PodDisruptionBudget"), "spec"), "selector"), "matchLabels"));
        Assert.Equal("1", Scalar(Map(Single("PodDisruptionBudget"), "spec"), "maxUnavailable"));
        Assert.True(int.Parse(Scalar(Map(Deployment(), "spec"), "replicas")) >= 2, "a cluster of one silo has nothing to fail over to");
    }

    [Fact]
    public void Pods_carry_the_orleans_labels_with_the_ids_the_silo_runs_with()
    {
        var labels = Labels(Map(PodTemplate(), "metadata")).ToDictionary();
        var env = Environment(Silo());

        Assert.Equal(Scalar(env["COHORTSYNC_SERVICE_ID"], "value"), labels[KubernetesHostingOptions.ServiceIdLabel]);
        Assert.Equal(Scalar(env["COHORTSYNC_CLUSTER_ID"], "value"), labels[KubernetesHostingOptions.ClusterIdLabel]);
    }

    [Fact]
    public void Silo_container_runs_with_kubernetes_and_the_pod_variables_from_the_downward_api()
    {
        var silo = Silo();
        var env = Environment(silo);

        Assert.Contains("--kubernetes", Sequence(silo, "args"));
        Assert.Equal(SiloSettings.KubernetesEnvironment.Order(), env.Keys.Where(k => k.StartsWith("POD_", StringComparison.Ordinal)).Order());
        Assert.Equal("metadata.name", FieldRef(env["POD_NAME"]));
        Assert.Equal("metadata.namespace", FieldRef(env["POD_NAMESPACE"]));
        Assert.Equal("status.podIP", FieldRef(env["POD_IP"]));
        Assert.Equal(Scalar(Map(Single("ServiceAccount"), "metadata"), "name"), Scalar(Map(PodTemplate(), "spec"), "serviceAccountName"));
    }

    [Fact]
    public void Every_cohortsync_variable_is_one_the_silo_reads_and_secrets_come_from_secrets()
    {
        var known = SiloSettings.Sources.Select(s => s.Environment).Append(SiloSettings.SecretKeyEnvironment).Append(ClusterCertificates.PasswordVariable).ToHashSet();
        foreach (var container in Containers())
        {
            foreach (var name in Environment(container).Keys.Where(k => k.StartsWith("COHORTSYNC_", StringComparison.Ordinal)))
                Assert.True(known.Contains(name), $"{Scalar(container, "name")} sets {name}, which the silo does not read");
        }
        var env = Environment(Silo());
        foreach (var secret in new[] { "COHORTSYNC_POSTGRES", SiloSettings.SecretKeyEnvironment, ClusterCertificates.PasswordVariable })
            Assert.True(Map(env[secret], "valueFrom").Children.ContainsKey(new YamlScalarNode("secretKeyRef")), $"{secret} must come from a Secret");
        Assert.Equal("postgres", Scalar(env["COHORTSYNC_STORAGE"], "value"));
    }

    [Fact]
    public void Container_ports_are_the_ports_the_silo_listens_on_and_the_service_targets_the_gateway()
    {
        var silo = Silo();
        var env = Environment(silo);
        var ports = ContainerPorts(silo);

        Assert.Equal(Scalar(env["COHORTSYNC_SILO_PORT"], "value"), ports["silo"]);
        Assert.Equal(Scalar(env["COHORTSYNC_GATEWAY_PORT"], "value"), ports["gateway"]);
        Assert.Equal(Scalar(env["COHORTSYNC_HTTP_PORT"], "value"), ports["http"]);
        Assert.Equal(new SiloSettings().GatewayPort.ToString(), ports["gateway"]);
        Assert.Equal("0.0.0.0", Scalar(env["COHORTSYNC_HTTP_ADDRESS"], "value"));
        var servicePort = Assert.IsType<YamlMappingNode>(Assert.Single(Assert.IsType<YamlSequenceNode>(Map(Single("Service"), "spec")["ports"]).Children));
        Assert.Equal("gateway", Scalar(servicePort, "targetPort"));
    }

    [Fact]
    public async Task Probes_ask_the_silos_real_health_endpoints_on_its_http_port()
    {
        var silo = Silo();
        var probes = new[] { "readinessProbe", "livenessProbe" }.Select(p => Map(Map(silo, p), "httpGet")).ToList();
        Assert.All(probes, p => Assert.Equal("http", Scalar(p, "port")));
        Assert.Equal(["/health/ready", "/health/live"], probes.Select(p => Scalar(p, "path")));

        // The paths answer 200 on a running (single, SQLite) silo's HTTP port.
        using var data = new TempDirectory("cohortsync-probe-");
        await using var running = await SiloProcess.StartAsync(data.Path);
        using var http = new HttpClient();
        foreach (var probe in probes)
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{running.HttpPort}{Scalar(probe, "path")}");
            Assert.True(response.IsSuccessStatusCode, $"{Scalar(probe, "path")} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public void Tls_certificate_and_ca_are_files_of_the_mounted_tls_secret()
    {
        var args = Sequence(Silo(), "args");
        var mount = Assert.Single(Sequence<YamlMappingNode>(Silo(), "volumeMounts"), m => Scalar(m, "name") == "tls");
        var volume = Assert.Single(Sequence<YamlMappingNode>(Map(PodTemplate(), "spec"), "volumes"), v => Scalar(v, "name") == "tls");
        var secret = Map(volume, "secret");
        var files = Sequence<YamlMappingNode>(secret, "items").Select(i => $"{Scalar(mount, "mountPath")}/{Scalar(i, "path")}").ToList();

        Assert.Contains(args[Array.IndexOf(args, "--tls-certificate") + 1], files);
        Assert.Contains(args[Array.IndexOf(args, "--tls-ca") + 1], files);
        var password = Map(Map(Environment(Silo())[ClusterCertificates.PasswordVariable], "valueFrom"), "secretKeyRef");
        Assert.Equal(Scalar(secret, "secretName"), Scalar(password, "name"));
    }

    [Fact]
    public void Every_pod_migrates_the_schema_first_with_the_silos_image_and_database()
    {
        var migrate = Assert.Single(Sequence<YamlMappingNode>(Map(PodTemplate(), "spec"), "initContainers"));
        var env = Environment(migrate);

        Assert.Equal(["migrate"], Sequence(migrate, "args"));
        Assert.Equal(Scalar(Silo(), "image"), Scalar(migrate, "image"));
        Assert.Equal("postgres", Scalar(env["COHORTSYNC_STORAGE"], "value"));
        var database = Map(Map(env["COHORTSYNC_POSTGRES"], "valueFrom"), "secretKeyRef");
        var silos = Map(Map(Environment(Silo())["COHORTSYNC_POSTGRES"], "valueFrom"), "secretKeyRef");
        Assert.Equal((Scalar(silos, "name"), Scalar(silos, "key")), (Scalar(database, "name"), Scalar(database, "key")));
    }

    [Fact]
    public void Role_grants_the_pod_verbs_orleans_kubernetes_hosting_asks_for_and_is_bound_to_the_silos_account()
    {
        var rule = Assert.Single(Sequence<YamlMappingNode>(Single("Role"), "rules"));
        Assert.Equal([""], Sequence(rule, "apiGroups"));
        Assert.Equal(["pods"], Sequence(rule, "resources"));
        // The example role Orleans prints when it is refused, plus delete: it removes the pods of silos declared dead.
        Assert.Subset(Sequence(rule, "verbs").ToHashSet(), OrleansExampleRoleVerbs().Append("delete").ToHashSet());

        var binding = Single("RoleBinding");
        Assert.Equal(Scalar(Map(Single("Role"), "metadata"), "name"), Scalar(Map(binding, "roleRef"), "name"));
        var subject = Assert.Single(Sequence<YamlMappingNode>(binding, "subjects"));
        Assert.Equal(("ServiceAccount", Scalar(Map(Single("ServiceAccount"), "metadata"), "name")), (Scalar(subject, "kind"), Scalar(subject, "name")));
    }

    [Fact]
    public async Task Silo_with_kubernetes_outside_a_pod_names_the_missing_pod_variables()
    {
        var result = await ChildProcess.RunAsync(ChildProcess.Silo, ["--kubernetes", "--storage", "postgres", "--postgres", "Host=127.0.0.1;Database=none"],
            new Dictionary<string, string?> { ["POD_NAME"] = null, ["POD_NAMESPACE"] = null, ["POD_IP"] = null, [SiloSettings.SecretKeyEnvironment] = null });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--kubernetes needs POD_NAME, POD_NAMESPACE, POD_IP", result.Stderr);
    }

    /// <summary>The verbs of the example Role that Orleans' Kubernetes hosting logs when the API refuses it, read from the package itself.</summary>
    private static IEnumerable<string> OrleansExampleRoleVerbs()
    {
        var example = typeof(KubernetesHostingOptions).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Single(text => text.Contains("kind: Role", StringComparison.Ordinal) && text.Contains("verbs:", StringComparison.Ordinal));
        var verbs = example.Split('\n').Single(l => l.TrimStart().StartsWith("verbs:", StringComparison.Ordinal));
        return verbs[(verbs.IndexOf('[') + 1)..verbs.IndexOf(']')].Split(',').Select(v => v.Trim().Trim('"'));
    }

    private static List<YamlMappingNode> Resources() =>
        [.. Directory.GetFiles(RepositoryFiles.PathOf(Base), "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => Documents(Path.GetRelativePath(RepositoryFiles.Root, f))).Select(Root)];

    private static IEnumerable<YamlDocument> Documents(string relative)
    {
        var yaml = new YamlStream();
        using var reader = new StringReader(RepositoryFiles.Read(relative));
        yaml.Load(reader);
        return yaml.Documents;
    }

    private static YamlMappingNode Root(YamlDocument document) => Assert.IsType<YamlMappingNode>(document.RootNode);

    private static YamlMappingNode Single(string kind) => Assert.Single(Resources(), r => Scalar(r, "kind") == kind);

    private static YamlMappingNode Deployment() => Single("Deployment");

    private static YamlMappingNode PodTemplate() => Map(Map(Deployment(), "spec"), "template");

    private static IEnumerable<YamlMappingNode> Containers() =>
        Sequence<YamlMappingNode>(Map(PodTemplate(), "spec"), "initContainers").Concat(Sequence<YamlMappingNode>(Map(PodTemplate(), "spec"), "containers"));

    private static YamlMappingNode Silo() => Assert.Single(Sequence<YamlMappingNode>(Map(PodTemplate(), "spec"), "containers"), c => Scalar(c, "name") == "silo");

    private static Dictionary<string, YamlMappingNode> Environment(YamlMappingNode container) =>
        Sequence<YamlMappingNode>(container, "env").ToDictionary(e => Scalar(e, "name"));

    private static Dictionary<string, string> ContainerPorts(YamlMappingNode container) =>
        Sequence<YamlMappingNode>(container, "ports").ToDictionary(p => Scalar(p, "name"), p => Scalar(p, "containerPort"));

    private static string FieldRef(YamlMappingNode variable) => Scalar(Map(Map(variable, "valueFrom"), "fieldRef"), "fieldPath");

    private static HashSet<KeyValuePair<string, string>> Labels(YamlMappingNode parent, string key = "labels") =>
        [.. Map(parent, key).Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ((YamlScalarNode)c.Value).Value!))];

    private static string Name(YamlMappingNode resource) => $"{Scalar(resource, "kind")}/{Scalar(Map(resource, "metadata"), "name")}";

    private static YamlMappingNode Map(YamlMappingNode parent, string key) =>
        parent.Children.TryGetValue(new YamlScalarNode(key), out var node) ? Assert.IsType<YamlMappingNode>(node) : throw new Xunit.Sdk.XunitException($"'{key}' is missing");

    private static string Scalar(YamlMappingNode parent, string key) =>
        parent.Children.TryGetValue(new YamlScalarNode(key), out var node) ? Assert.IsType<YamlScalarNode>(node).Value! : throw new Xunit.Sdk.XunitException($"'{key}' is missing");

    private static string[] Sequence(YamlMappingNode parent, string key) => [.. Sequence<YamlScalarNode>(parent, key).Select(s => s.Value!)];

    private static IEnumerable<T> Sequence<T>(YamlMappingNode parent, string key) where T : YamlNode =>
        parent.Children.TryGetValue(new YamlScalarNode(key), out var node)
            ? Assert.IsType<YamlSequenceNode>(node).Children.Select(c => Assert.IsType<T>(c))
            : throw new Xunit.Sdk.XunitException($"'{key}' is missing");
}
