using System.Diagnostics;
using System.Globalization;
using CohortSync.Contracts;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Testing;
using Npgsql;

namespace CohortSync.LoadHarness;

/// <summary>
/// Scenario 7: what the synced set of a member costs in the snapshot store, by the shape of the ids. One silo on
/// PostgreSQL syncs one cohort per shape (first run, in turn); after each the harness reads what the chunk table
/// grew by: chunks, the ids' raw bytes, the compressed payloads, and pg_total_relation_size (heap, TOAST, index).
/// </summary>
public sealed class IdShapesScenario(World world, HarnessOptions options, ResultTable table)
{
    private const string Scenario = "7 snapshot bytes by id shape";
    private const string ProjectId = "bench-shapes";
    private const string AmplitudeKey = "bench-shapes-amplitude";

    private static readonly string[] Domains = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "gmx.de", "example.org", "company.io"];

    /// <summary>Each shape's next id (index, seeded random); a cohort takes the first distinct ones.</summary>
    private static readonly (string Name, Func<int, Random, string> Id)[] Shapes =
    [
        ("sequential (user-0000123)", (i, _) => $"user-{i:D7}"),
        // 10 digits spread over the range (i × a prime coprime to 9·10⁹, so distinct), as database keys often look.
        ("numeric, 10 digits, spread", (i, _) => (1_000_000_000L + (i * 2_654_435_761L % 9_000_000_000L)).ToString(CultureInfo.InvariantCulture)),
        ("uuid (36 characters)", (_, random) => GuidFrom(random).ToString()),
        // Random letters, a separator and digits half the time, a common domain: less alike than real addresses
        // (which share names), so an upper bound for them.
        ("email (random local part, 8 domains)", (_, random) => $"{Letters(random, random.Next(4, 9))}{(random.Next(2) == 0 ? "." : "")}"
            + $"{Letters(random, random.Next(3, 9))}{(random.Next(2) == 0 ? random.Next(1, 1000).ToString(CultureInfo.InvariantCulture) : "")}"
            + $"@{Domains[random.Next(Domains.Length)]}"),
    ];

    public async Task RunAsync()
    {
        var destination = await world.EnableTenantAsync(ProjectId, AmplitudeKey);
        var n = options.ShapeMembers;
        for (var s = 0; s < Shapes.Length; s++)
        {
            var (name, id) = Shapes[s];
            var random = new Random(s + 1);
            var cohortId = $"shape-{s}";
            var ids = new HashSet<string>(n, StringComparer.Ordinal);
            for (var i = 0; ids.Count < n; i++) ids.Add(id(i, random));
            var members = ids.Select((userId, i) => new AmplitudeMember(1_000_000_000L + i, userId)).ToList();
            ids = null;
            var averageLength = members.Average(m => m.UserId!.Length);
            world.Sandbox.Amplitude.PutMembers(AmplitudeKey, cohortId, $"Shape {s}", members);
            members = null;

            var before = await ChunkTableAsync();
            var load = MachineFacts.LoadAverage();
            var clock = Stopwatch.StartNew();
            var info = await world.Grains.GetGrain<IProjectGrain>(ProjectId).StartSyncAsync(new StartSyncRequest(cohortId, destination, "once"));
            var run = await world.WaitForRunAsync(ProjectId, info.SyncId, 1, TimeSpan.FromMinutes(10));
            if (run.Outcome != RunOutcome.Succeeded || run.Counts.Added != n)
                throw new InvalidOperationException($"shape '{name}': run 1 was {run.Outcome} with +{run.Counts.Added} of {n} ({run.Reason})");
            var after = await ChunkTableAsync();

            var (chunks, rawBytes, payload, tableBytes) = (after.Chunks - before.Chunks, after.RawBytes - before.RawBytes,
                after.Payload - before.Payload, after.TableBytes - before.TableBytes);
            table.Add(Scenario, $"{name}: snapshot table bytes per member",
                string.Create(CultureInfo.InvariantCulture, $"{tableBytes / (double)n:0.0} B (payload {payload / (double)n:0.0} B, id {rawBytes / (double)n:0.0} B)"),
                note: string.Create(CultureInfo.InvariantCulture,
                    $"{n:N0} members, mean id {averageLength:0.0} chars, {chunks} chunks, table +{tableBytes / 1024.0:N0} KB, run {clock.Elapsed.TotalSeconds:0.0} s, load {load}"));
        }
    }

    private async Task<(long Chunks, long RawBytes, long Payload, long TableBytes)> ChunkTableAsync()
    {
        await using var connection = new NpgsqlConnection(world.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT count(*), coalesce(sum(raw_bytes), 0)::bigint, coalesce(sum(octet_length(payload)), 0)::bigint,
                   pg_total_relation_size('cohortsync_snapshot_chunk')
            FROM cohortsync_snapshot_chunk
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    private static string Letters(Random random, int count) => string.Create(count, random, (span, r) =>
    {
        for (var k = 0; k < span.Length; k++) span[k] = (char)('a' + r.Next(26));
    });

    private static Guid GuidFrom(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        // A version-4 uuid, as most generators make them.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
