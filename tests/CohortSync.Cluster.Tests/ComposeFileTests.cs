using System.Text.RegularExpressions;
using CohortSync.Cluster.Tests.Harness;
using CohortSync.Testing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CohortSync.Cluster.Tests;

/// <summary>
/// docker-compose.yml and the Dockerfiles, checked without a container engine (CI has none): the compose
/// file is valid YAML that wires PostgreSQL, the one-shot migration, three silos and the client as documented.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string[] SiloServices = ["silo1", "silo2", "silo3"];

    [Fact]
    public void Compose_file_runs_postgres_then_migrate_then_three_silos_with_health_checks()
    {
        var services = Services();

        var postgres = Map(services, "postgres");
        Assert.Equal("postgres:16", Scalar(postgres, "image"));
        Assert.Contains("pg_isready", string.Join(' ', Sequence(Map(postgres, "healthcheck"), "test")));

        var migrate = Map(services, "migrate");
        Assert.Equal(["migrate"], Sequence(migrate, "command"));
        Assert.Equal("service_healthy", Scalar(Map(Map(migrate, "depends_on"), "postgres"), "condition"));
        Assert.Equal("silo/Dockerfile", Scalar(Map(migrate, "build"), "dockerfile"));

        foreach (var name in SiloServices)
        {
            var silo = Map(services, name);
            Assert.Equal(Scalar(migrate, "image"), Scalar(silo, "image"));
            Assert.Equal("service_completed_successfully", Scalar(Map(Map(silo, "depends_on"), "migrate"), "condition"));
            Assert.Equal(["CMD", "dotnet", "CohortSync.Silo.dll", "health"], Sequence(Map(silo, "healthcheck"), "test"));
            var environment = Map(silo, "environment");
            Assert.Equal("postgres", Scalar(environment, "COHORTSYNC_STORAGE"));
            Assert.StartsWith("Host=postgres;", Scalar(environment, "COHORTSYNC_POSTGRES"));
            Assert.Contains("${COHORTSYNC_SECRET_KEY:?", Scalar(environment, "COHORTSYNC_SECRET_KEY"));
            Assert.Equal(Scalar(Map(Map(silo, "networks"), "cluster"), "ipv4_address"), Scalar(environment, "COHORTSYNC_ADVERTISED_ADDRESS"));
            // The published ports are the ones the silo listens on.
            var gateway = Scalar(environment, "COHORTSYNC_GATEWAY_PORT");
            var http = Scalar(environment, "COHORTSYNC_HTTP_PORT");
            Assert.Equal([$"127.0.0.1:{gateway}:{gateway}", $"127.0.0.1:{http}:{http}"], Sequence(silo, "ports"));
        }
        Assert.Equal(3, SiloServices.Select(s => Scalar(Map(Map(services, s), "environment"), "COHORTSYNC_GATEWAY_PORT")).Distinct().Count());
        Assert.Equal(3, SiloServices.Select(s => Scalar(Map(Map(services, s), "environment"), "COHORTSYNC_SILO_PORT")).Distinct().Count());
        Assert.Equal(3, SiloServices.Select(s => Scalar(Map(Map(services, s), "environment"), "COHORTSYNC_ADVERTISED_ADDRESS")).Distinct().Count());
    }

    [Fact]
    public void Compose_client_is_an_on_demand_tool_that_reaches_every_silo_gateway()
    {
        var services = Services();
        var client = Map(services, "client");

        Assert.Equal(["tools"], Sequence(client, "profiles"));
        Assert.Equal("client/Dockerfile", Scalar(Map(client, "build"), "dockerfile"));
        var gateways = Scalar(Map(client, "environment"), "COHORTSYNC_GATEWAY").Split(',');
        var expected = SiloServices.Select(s => $"{s}:{Scalar(Map(Map(services, s), "environment"), "COHORTSYNC_GATEWAY_PORT")}");
        Assert.Equal(expected, gateways);
        Assert.Equal("service_healthy", Scalar(Map(Map(client, "depends_on"), "silo1"), "condition"));
    }

    [Theory]
    [InlineData("silo/Dockerfile", "silo/CohortSync.Silo.csproj", "CohortSync.Silo.dll", "aspnet:10.0")]
    [InlineData("client/Dockerfile", "client/CohortSync.Client.csproj", "cohortsync.dll", "runtime:10.0")]
    public void Dockerfile_publishes_its_project_in_the_sdk_and_runs_it_on_the_runtime_image(string dockerfile, string project, string entry, string runtime)
    {
        var text = RepositoryFiles.Read(dockerfile);

        var stages = FromLine().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0", $"mcr.microsoft.com/dotnet/{runtime}"], stages);
        Assert.Contains($"dotnet publish {project}", text);
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{entry}\"]", text);
        // Everything the build copies exists, so the image builds from a clean checkout.
        foreach (Match copy in CopyLine().Matches(text))
        {
            foreach (var source in copy.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
                Assert.True(File.Exists(RepositoryFiles.PathOf(source)) || Directory.Exists(RepositoryFiles.PathOf(source)), $"{dockerfile} copies {source}, which does not exist");
        }
    }

    private static YamlMappingNode Services()
    {
        var yaml = new YamlStream();
        using var reader = new StringReader(RepositoryFiles.Read("docker-compose.yml"));
        // The silos share their settings through anchors and merge keys (<<), as compose reads them.
        yaml.Load(new MergingParser(new Parser(reader)));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return Map(root, "services");
    }

    private static YamlMappingNode Map(YamlMappingNode parent, string key) =>
        parent.Children.TryGetValue(new YamlScalarNode(key), out var node) ? Assert.IsType<YamlMappingNode>(node) : throw new Xunit.Sdk.XunitException($"'{key}' is missing");

    private static string Scalar(YamlMappingNode parent, string key) =>
        parent.Children.TryGetValue(new YamlScalarNode(key), out var node) ? Assert.IsType<YamlScalarNode>(node).Value! : throw new Xunit.Sdk.XunitException($"'{key}' is missing");

    private static string[] Sequence(YamlMappingNode parent, string key) =>
        parent.Children.TryGetValue(new YamlScalarNode(key), out var node)
            ? [.. Assert.IsType<YamlSequenceNode>(node).Children.Select(c => ((YamlScalarNode)c).Value!)]
            : throw new Xunit.Sdk.XunitException($"'{key}' is missing");

    [GeneratedRegex(@"^FROM\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"^COPY\s+(?!--from)(.+)$", RegexOptions.Multiline)]
    private static partial Regex CopyLine();
}
