using CohortSync.Contracts;
using CohortSync.Sandbox;
using CohortSync.Testing;

namespace CohortSync.LoadHarness;

/// <summary>
/// The load harness's world: the test world with its silo as its own process (so its memory is its own) on a fresh
/// SQLite file or a fresh database on the harness's throwaway PostgreSQL, a sandbox that keeps a long request log,
/// and many tenant projects, each with an Amplitude project and an Iterable project of its own.
/// </summary>
public static class TenantProjects
{
    public const string IterableKey = "bench-iterable-key";

    public static string IterableKeyOf(string projectId) => $"{IterableKey}-{projectId}";

    /// <param name="postgres">The server to make the world's database on; null for the silo's own SQLite file.</param>
    public static Task<World> StartWorldAsync(HarnessOptions options, PostgresFixture? postgres = null) =>
        World.StartAsync(new WorldOptions
        {
            Storage = postgres is null ? StorageUnderTest.Sqlite : StorageUnderTest.Postgres(postgres),
            Hosting = SiloHosting.Processes,
            SiloArgs = options.SiloArgs,
            Sandbox = new SandboxOptions { RequestLogCapacity = 2_000_000 },
            ClientResponseTimeout = TimeSpan.FromMinutes(2),
        });

    /// <summary>The one silo process, whose memory the scenarios measure.</summary>
    public static int SiloProcessId(this World world) => world.Silos[0].ProcessId;

    /// <summary>
    /// Registers an Amplitude project in the sandbox, enables it in the engine with one destination; returns the
    /// destination id. Each project writes to an Iterable project of its own (its own key), as tenants do.
    /// </summary>
    public static async Task<string> EnableTenantAsync(this World world, string projectId, string amplitudeKey)
    {
        var iterableKey = IterableKeyOf(projectId);
        var sandboxUrl = world.Sandbox.BaseUrl.ToString();
        world.Sandbox.Iterable.AddApiKey(iterableKey);
        world.Sandbox.Amplitude.PutProject(amplitudeKey, amplitudeKey + "-secret");
        var project = world.Grains.GetGrain<IProjectGrain>(projectId);
        await project.EnableAsync(new EnableProjectRequest(amplitudeKey, amplitudeKey + "-secret", null, sandboxUrl));
        // The sandbox has no rate limit; the destination's budget must not be the bottleneck either.
        var destination = await project.AddDestinationAsync(new AddDestinationRequest(
            "sandbox", iterableKey, null, null, sandboxUrl, RequestsPerSecond: 10_000, MaxRequestsPerSecond: 10_000));
        return destination.DestinationId;
    }

    /// <summary>Subscribe and unsubscribe requests the sandbox has seen since <paramref name="mark"/>.</summary>
    public static int MembershipWritesSince(this World world, long mark) => world.Sandbox.Requests.Since(mark).Count(World.IsMembershipWrite);
}
