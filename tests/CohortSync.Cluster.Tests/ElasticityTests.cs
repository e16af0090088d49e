using System.Text.Json;
using CohortSync.Cluster.Tests.Harness;
using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Cluster.Tests;

/// <summary>Silos come and go under a working cluster; the client follows them.</summary>
[Collection(PostgresFixture.Collection)]
[Trait("Speed", "Slow")]
public sealed class ElasticityTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Silo_that_joins_later_takes_a_share_of_new_syncs()
    {
        await using var cluster = await World.StartClusterAsync(postgres, silos: 2);
        var destination = await cluster.EnableProjectAsync();
        var before = new SyncFleet(cluster, 10);
        before.SetCohorts(1);
        await before.StartAsync(destination, cadence: "1m");

        var joined = await cluster.AddSiloAsync();

        // The other silos learn of the newcomer through the membership table; until they do they place
        // nothing there. New syncs keep coming until one lands on it, or the deadline says it never will.
        var landed = 0;
        var i = 0;
        await Retry.UntilAsync("a new sync to be placed on the silo that joined", TimeSpan.FromSeconds(90), async () =>
        {
            var cohort = $"late-{i++:D3}";
            cluster.SetCohort(cohort, [$"{cohort}-u1", $"{cohort}-u2"]);
            var sync = (await cluster.Project.StartSyncAsync(new StartSyncRequest(cohort, destination, "1m"))).SyncId;
            if (await cluster.HostOfAsync(sync) == joined) landed++;
            return (landed > 0, $"{i} syncs started, none on the new silo");
        }, poll: TimeSpan.FromMilliseconds(200));
        Assert.Equal("", cluster.CrashReport());
    }

    [Fact]
    public async Task Cli_keeps_working_through_the_other_gateways_and_the_membership_table_when_a_silo_dies()
    {
        // The engine's own log at Information: a failure here says what each silo's runs did.
        await using var cluster = await World.StartClusterAsync(postgres, silos: 3, "--Logging:LogLevel:CohortSync=Information");
        var gateways = string.Join(',', cluster.Silos.Select(s => s.Gateway));
        var url = cluster.Sandbox.BaseUrl.ToString();
        cluster.SetCohort("coh-cli", [.. Enumerable.Range(0, 40).Select(i => $"cli-{i:D3}")]);
        await CliAsync(cluster, ["project", "enable", World.ProjectId, "--amplitude-url", url, "--gateway", gateways, "--json"],
            stdin: $"{World.AmplitudeKey}\n{World.AmplitudeSecret}\n");

        // The first gateway of the list dies without a word; nobody has declared it dead yet.
        cluster.Silos[0].Kill();

        var destination = await CliAsync(cluster, ["destination", "add", World.ProjectId, "--name", "Sandbox", "--iterable-url", url, "--gateway", gateways, "--json"],
            environment: new() { ["ITERABLE_API_KEY"] = World.IterableKey });
        var destinationId = destination.GetProperty("destinationId").GetString()!;
        var started = await CliAsync(cluster, ["sync", "start", World.ProjectId, "--cohort", "coh-cli", "--destination", destinationId,
            "--cadence", "once", "--wait", "--timeout", "3m", "--gateway", gateways, "--json"]);
        Assert.Equal("succeeded", started.GetProperty("run").GetProperty("outcome").GetString());

        // Without naming any gateway: the membership table lists the silos that are alive.
        var syncs = await CliAsync(cluster, ["sync", "list", World.ProjectId, "--postgres", "--json"],
            environment: new() { ["COHORTSYNC_POSTGRES"] = cluster.ConnectionString });
        Assert.Equal(started.GetProperty("sync").GetProperty("syncId").GetString(), Assert.Single(syncs.EnumerateArray()).GetProperty("syncId").GetString());
        Assert.Equal("", cluster.CrashReport());
    }

    [Fact]
    public async Task Read_only_command_rides_out_a_killed_silo_until_the_cluster_has_taken_over_its_grains()
    {
        // Orleans' production probe timeout: the killed silo stays undeclared for 15 s or more, the window this is about.
        await using var cluster = await World.StartClusterAsync(postgres, silos: 3, "--CohortSync:Membership:ProbeTimeout=00:00:05");
        var destination = await cluster.EnableProjectAsync();
        cluster.SetCohort("coh-ride", ["ride-1", "ride-2"]);
        var sync = (await cluster.Project.StartSyncAsync(new StartSyncRequest("coh-ride", destination, "once"))).SyncId;
        await Retry.UntilAsync("the first run to finish", TimeSpan.FromMinutes(2), async () =>
        {
            var status = await cluster.StatusAsync(sync);
            return (status.ActiveRun is null && status.LastRun is not null, SyncFleet.Describe(status));
        });
        // A sync with no next run leaves memory after its run: a status call brings it back, on some silo.
        var victim = await Wait.ForAsync(async () =>
        {
            await cluster.StatusAsync(sync);
            return await cluster.HostOfAsync(sync);
        }, $"sync {sync} to have an activation");
        var gateways = string.Join(',', cluster.Silos.OrderBy(s => s == victim ? 0 : 1).Select(s => s.Gateway));

        victim.Kill();
        // One command, run once: the sync's grain lived on the dead silo, which is also the first gateway named.
        var result = await ChildProcess.RunAsync(ChildProcess.Client, ["sync", "status", World.ProjectId, sync, "--gateway", gateways, "--json"],
            ClientEnvironment(cluster), "", TimeSpan.FromMinutes(4));

        Assert.True(result.ExitCode == 0, $"sync status exited {result.ExitCode}: {result.Stderr}{result.Stdout}");
        Assert.Equal(sync, JsonDocument.Parse(result.Stdout).RootElement.GetProperty("syncId").GetString());
        Assert.Contains("warning: ", result.Stderr);
        Assert.Contains("retrying for up to 90 s while the cluster recovers", result.Stderr);
        Assert.Equal("", cluster.CrashReport());
    }

    private static Dictionary<string, string?> ClientEnvironment(World cluster) => new()
    {
        ["COHORTSYNC_CLUSTER_ID"] = cluster.ClusterId,
        ["COHORTSYNC_SERVICE_ID"] = SiloCluster.ServiceId,
    };

    private static async Task<JsonElement> CliAsync(World cluster, string[] args, string stdin = "", Dictionary<string, string?>? environment = null)
    {
        environment ??= [];
        environment["COHORTSYNC_CLUSTER_ID"] = cluster.ClusterId;
        environment["COHORTSYNC_SERVICE_ID"] = SiloCluster.ServiceId;
        // Until the cluster declares the killed silo dead, a call to a grain that lived there cannot be
        // answered (exit 3, nothing done); the command works again once the survivors took over.
        ProcessResult result = null!;
        var attempts = new System.Text.StringBuilder();
        await Wait.UntilAsync($"cohortsync {string.Join(' ', args.Take(3))} to reach the cluster", TimeSpan.FromSeconds(90), async () =>
        {
            result = await ChildProcess.RunAsync(ChildProcess.Client, args, environment, stdin, TimeSpan.FromMinutes(4));
            attempts.AppendLine($"{DateTimeOffset.UtcNow:HH:mm:ss} exit {result.ExitCode}: {result.Stderr.Trim()}");
            return (result.ExitCode != 3, $"exit {result.ExitCode}: {result.Stderr.Trim()}");
        }, poll: TimeSpan.FromSeconds(1));
        Assert.True(result.ExitCode == 0, $"cohortsync {string.Join(' ', args.Take(3))} exited {result.ExitCode}: {result.Stderr}{result.Stdout}\n"
            + $"attempts:\n{attempts}silo logs (CohortSync):\n{cluster.Cluster.EngineLog()}");
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }
}
