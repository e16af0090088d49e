using System.Diagnostics;
using System.Text;
using CohortSync.Amplitude;
using CohortSync.Core.Identity;
using CohortSync.Core.Members;
using CohortSync.Storage;
using CohortSync.Storage.Migrations;
using CohortSync.Storage.Snapshots;
using CohortSync.Testing;
using Npgsql;

namespace CohortSync.LoadHarness;

/// <summary>
/// Scenario 5: the diff of scenario 2 (2 M synced, 1% churn) computed twice on the same machine and inputs.
/// CohortSync: load the synced set from its PostgreSQL snapshot store, parse the new cohort file into the
/// desired set, merge-diff. PostgreSQL: COPY the same file into a table beside a table of the synced
/// identifiers, then EXCEPT both ways, fetching the rows. Best of <see cref="Repeats"/> for each.
/// </summary>
public sealed class PostgresDiffScenario(HarnessOptions options, ResultTable table)
{
    private const int Repeats = 3;
    private const string SyncKey = "bench/diff";

    public async Task RunAsync()
    {
        await using var server = await PostgresServer.StartNewAsync();
        var connectionString = await server.CreateDatabaseAsync();
        await new DatabaseMigrator().MigrateAsync(StorageBackend.Postgres, connectionString, CancellationToken.None);

        var n = options.Members;
        var leave = n / 200;
        var synced = Enumerable.Range(0, n).Select(i => $"user-{i}").ToList();
        var desired = synced.Where((_, i) => i % 200 != 7).Concat(Enumerable.Range(n, leave).Select(i => $"user-{i}")).ToList();
        var file = CohortFile(desired);

        // The stored synced set, in each system's own form (not timed).
        var store = new PostgresSnapshotStore(connectionString);
        await store.CompactAsync(SyncKey, MemberSet.From(synced), CancellationToken.None);
        await using (var connection = await OpenAsync(connectionString))
        {
            await ExecuteAsync(connection, "CREATE TABLE synced_members (user_id text NOT NULL)");
            await using (var copy = await connection.BeginTextImportAsync("COPY synced_members (user_id) FROM STDIN"))
            {
                foreach (var id in synced) await copy.WriteLineAsync(id);
            }
            await ExecuteAsync(connection, "ANALYZE synced_members");
        }

        var load = MachineFacts.LoadAverage();
        var ours = TimeSpan.MaxValue;
        var theirs = TimeSpan.MaxValue;
        (int Adds, int Removes) ourCounts = default, theirCounts = default;
        for (var r = 0; r < Repeats; r++)
        {
            var (time, counts) = await CohortSyncDiffAsync(store, file);
            if (time < ours) (ours, ourCounts) = (time, counts);
            (time, counts) = await PostgresDiffAsync(connectionString, file);
            if (time < theirs) (theirs, theirCounts) = (time, counts);
        }

        if (ourCounts != theirCounts) throw new InvalidOperationException($"the two diffs disagree: {ourCounts} vs {theirCounts}");
        table.Add("5 diff vs PostgreSQL", "CohortSync: load snapshot + parse file + diff", $"{ours.TotalMilliseconds:0} ms", note: $"+{ourCounts.Adds:N0} −{ourCounts.Removes:N0}, best of {Repeats}, load {load}");
        table.Add("5 diff vs PostgreSQL", "PostgreSQL: COPY file + EXCEPT both ways", $"{theirs.TotalMilliseconds:0} ms", note: "work_mem 1GB, synced table pre-loaded and analysed");
        table.Add("5 diff vs PostgreSQL", "ratio PostgreSQL / CohortSync", $"{theirs / ours:0.0}×", target: "≥ 5×");
    }

    private static async Task<(TimeSpan, (int, int))> CohortSyncDiffAsync(PostgresSnapshotStore store, byte[] file)
    {
        var clock = Stopwatch.StartNew();
        var syncedSet = await store.LoadAsync(SyncKey, CancellationToken.None);
        var builder = new DesiredSetBuilder(syncedSet.Count);
        await CohortCsvReader.ReadAsync(new MemoryStream(file, writable: false), "user_id", new Sink(builder));
        var diff = MemberSetDiff.Compute(builder.Build(), syncedSet);
        return (clock.Elapsed, (diff.Adds.Count, diff.Removes.Count));
    }

    private static async Task<(TimeSpan, (int, int))> PostgresDiffAsync(string connectionString, byte[] file)
    {
        await using var connection = await OpenAsync(connectionString);
        await ExecuteAsync(connection, "SET work_mem = '1GB'");
        var clock = Stopwatch.StartNew();
        await ExecuteAsync(connection, "CREATE TEMP TABLE desired_members (amplitude_id bigint, user_id text)");
        await using (var copy = await connection.BeginTextImportAsync("COPY desired_members FROM STDIN (FORMAT csv, HEADER true)"))
        {
            // The same bytes the engine parses, as the text COPY reads.
            await copy.WriteAsync(Encoding.UTF8.GetString(file));
        }
        var adds = await CountRowsAsync(connection, "SELECT user_id FROM desired_members EXCEPT SELECT user_id FROM synced_members");
        var removes = await CountRowsAsync(connection, "SELECT user_id FROM synced_members EXCEPT SELECT user_id FROM desired_members");
        var elapsed = clock.Elapsed;
        await ExecuteAsync(connection, "DROP TABLE desired_members");
        return (elapsed, (adds, removes));
    }

    /// <summary>Fetches every row (as the engine would, to send them), counting them.</summary>
    private static async Task<int> CountRowsAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            _ = reader.GetString(0);
            rows++;
        }
        return rows;
    }

    private static byte[] CohortFile(IReadOnlyList<string> ids)
    {
        var text = new StringBuilder(ids.Count * 36);
        text.Append("\"amplitude_id\",\"user_id\"\n");
        for (var i = 0; i < ids.Count; i++) text.Append('"').Append(1_000_000_000L + i).Append("\",\"").Append(ids[i]).Append("\"\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 600 }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class Sink(DesiredSetBuilder builder) : IMemberSink
    {
        public void Accept(ReadOnlySpan<char> identity) => builder.Accept(identity);
    }
}
