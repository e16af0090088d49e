using CohortSync.Client.Cli;
using CohortSync.Client.Cluster;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Testing;

namespace CohortSync.Client.Tests;

/// <summary>
/// The real silo as its own process (SQLite, static clustering) and the sandbox, shared by the tests of the
/// <see cref="RealSiloCollection"/>. The silo runs apart from the test process, so no grain class of the test
/// assembly can be mistaken for a real one; the CLI runs in-process and reaches the silo at its gateway.
/// </summary>
public sealed class RealSiloFixture : IAsyncLifetime
{
    private World? _world;

    public World World => _world ?? throw new InvalidOperationException("not started");

    public string Gateway => World.Silos[0].Gateway;

    public string SandboxUrl => World.Sandbox.BaseUrl.ToString();

    public async Task InitializeAsync() => _world = await World.StartAsync(new WorldOptions { Hosting = SiloHosting.Processes });

    public async Task DisposeAsync()
    {
        if (_world is not null) await _world.DisposeAsync();
    }
}

/// <summary>One real silo for every test class that drives the CLI against it.</summary>
[CollectionDefinition(Name)]
public sealed class RealSiloCollection : ICollectionFixture<RealSiloFixture>
{
    public const string Name = "real silo";
}

/// <summary>
/// A CLI operator's session against the shared real silo. Each project gets its own Amplitude project in the
/// sandbox (keys named after it) and cohorts named after it, so the Iterable lists of two tests never meet.
/// </summary>
public sealed class OperatorSession(RealSiloFixture fixture)
{
    private static readonly OrleansClusterConnector Connector = new(new ClusterIdentity(ClusterIdentity.DefaultId, ClusterIdentity.DefaultId));

    public World World => fixture.World;

    public string SandboxUrl => fixture.SandboxUrl;

    public Task<CliResult> RunAsync(string[] args, string stdin = "", Dictionary<string, string>? variables = null) =>
        CliHarness.RunAsync(Connector, [.. args, "--gateway", fixture.Gateway], stdin, variables);

    public static (string Key, string Secret) AmplitudeKeys(string projectId) => ($"amp-key-{projectId}", $"amp-secret-{projectId}");

    /// <summary>Puts the project's Amplitude project into the sandbox (without enabling it in the cluster).</summary>
    public (string Key, string Secret) AmplitudeProject(string projectId, AmplitudeProjectSettings? settings = null)
    {
        var (key, secret) = AmplitudeKeys(projectId);
        World.Sandbox.Amplitude.PutProject(key, secret, settings);
        return (key, secret);
    }

    public async Task<string> EnabledProjectAsync(string projectId, AmplitudeProjectSettings? settings = null)
    {
        var (key, secret) = AmplitudeProject(projectId, settings);
        Expect(ExitCodes.Ok, await RunAsync(["project", "enable", projectId, "--amplitude-url", SandboxUrl], $"{key}\n{secret}\n"));
        return projectId;
    }

    /// <summary>A destination on the sandbox's Iterable project that <see cref="World.IterableKey"/> writes to; its id.</summary>
    public async Task<string> DestinationAsync(string projectId)
    {
        var added = await RunAsync(["destination", "add", projectId, "--name", "US", "--iterable-url", SandboxUrl], World.IterableKey + "\n");
        Expect(ExitCodes.Ok, added);
        return added.Stdout.Trim();
    }

    public void SetCohort(string projectId, string cohortId, params string[] userIds) =>
        World.Sandbox.Amplitude.PutMembers(AmplitudeKeys(projectId).Key, cohortId, CohortName(projectId, cohortId),
            userIds.Select((id, i) => new AmplitudeMember(1_000_000 + i, id)));

    public static string CohortName(string projectId, string cohortId) => $"{projectId} {cohortId}";

    /// <summary>Starts a sync of the cohort and returns its id.</summary>
    public async Task<string> StartSyncAsync(string projectId, string cohortId, string destinationId, string cadence, bool wait = false)
    {
        var started = await RunAsync(["sync", "start", projectId, "--cohort", cohortId, "--destination", destinationId, "--cadence", cadence, .. wait ? ["--wait"] : Array.Empty<string>()]);
        Expect(ExitCodes.Ok, started);
        return started.Stdout.Split('\n')[0];
    }

    public static void Expect(int exitCode, CliResult result) => Assert.True(result.ExitCode == exitCode, result.ToString());
}
