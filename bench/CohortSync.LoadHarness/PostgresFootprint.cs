using System.Globalization;
using CohortSync.Testing;
using Npgsql;

namespace CohortSync.LoadHarness;

/// <summary>
/// What a scenario on PostgreSQL asks of the database: the sessions the silo holds open while it runs (sampled from
/// pg_stat_activity, the harness's own client and this sampler left out), and what it leaves in each cohortsync and
/// orleans table (pg_total_relation_size: heap, TOAST and indexes; exact row counts; the live rows' bytes).
/// </summary>
public sealed class PostgresFootprint : IAsyncDisposable
{
    private const string SamplerName = "cohortsync-harness-sampler";
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);

    private readonly string _connectionString;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, long> _peakByState = [];
    private readonly Task _sampling;
    private long _peakTotal;
    private long _samples;
    private long _sumTotal;

    private PostgresFootprint(string connectionString)
    {
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = SamplerName }.ConnectionString;
        _sampling = Task.Run(SampleAsync);
    }

    /// <summary>Starts sampling the world's database; null when the world is not on PostgreSQL.</summary>
    public static PostgresFootprint? Watch(World world) => world.ConnectionString.Length == 0 ? null : new PostgresFootprint(world.ConnectionString);

    private async Task SampleAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(_stop.Token);
        await using var command = new NpgsqlCommand("""
            SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend'
              AND pid <> pg_backend_pid() AND application_name <> @client
            GROUP BY 1
            """, connection);
        command.Parameters.AddWithValue("client", SiloCluster.ClientApplicationName);
        while (!_stop.IsCancellationRequested)
        {
            long total = 0;
            await using (var reader = await command.ExecuteReaderAsync(_stop.Token))
            {
                while (await reader.ReadAsync(_stop.Token))
                {
                    var (state, count) = (reader.GetString(0), reader.GetInt64(1));
                    total += count;
                    _peakByState[state] = Math.Max(_peakByState.GetValueOrDefault(state), count);
                }
            }
            (_peakTotal, _sumTotal, _samples) = (Math.Max(_peakTotal, total), _sumTotal + total, _samples + 1);
            await Task.Delay(Every, _stop.Token);
        }
    }

    /// <summary>Stops sampling and adds the connection and table figures of the scenario, per sync and per member.</summary>
    public async Task ReportAsync(ResultTable table, string scenario, long syncs, long members)
    {
        await StopAsync();
        var states = string.Join(", ", _peakByState.OrderByDescending(s => s.Value).Select(s => $"{s.Key} {s.Value}"));
        table.Add(scenario, "PostgreSQL sessions of the silo, peak / mean", $"{_peakTotal} / {(_samples == 0 ? 0 : _sumTotal / (double)_samples):0.0}",
            note: $"peak by state: {states}; {_samples:N0} samples every {Every.TotalMilliseconds:0} ms");

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        var sizes = new List<(string Table, long Bytes)>();
        await using (var command = new NpgsqlCommand("""
            SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND (c.relname LIKE 'cohortsync%' OR c.relname LIKE 'orleans%')
            ORDER BY 1
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) sizes.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        long totalRows = 0, totalBytes = 0;
        foreach (var (name, bytes) in sizes)
        {
            // Live bytes: the rows as they are now, without dead versions, page and index overhead (which autovacuum reuses).
            await using var count = new NpgsqlCommand($"SELECT count(*), coalesce(sum(pg_column_size(t.*)), 0)::bigint FROM \"{name}\" t", connection);
            long rows, live;
            await using (var reader = await count.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                (rows, live) = (reader.GetInt64(0), reader.GetInt64(1));
            }
            (totalRows, totalBytes) = (totalRows + rows, totalBytes + bytes);
            if (rows == 0 && bytes <= 16 * 1024) continue; // an empty table and its index pages
            table.Add(scenario, $"table {name}: rows / size / live", $"{rows:N0} / {Kb(bytes)} / {Kb(live)}", note: PerSyncAndMember(rows, bytes, syncs, members)
                + string.Create(CultureInfo.InvariantCulture, $"; live {live / (double)Math.Max(rows, 1):N0} B a row"));
        }
        table.Add(scenario, "all cohortsync and orleans tables: rows / size", $"{totalRows:N0} / {Kb(totalBytes)}",
            note: PerSyncAndMember(totalRows, totalBytes, syncs, members));
    }

    private static string PerSyncAndMember(long rows, long bytes, long syncs, long members) =>
        string.Create(CultureInfo.InvariantCulture,
            $"per sync {rows / (double)syncs:0.##} rows, {bytes / (double)syncs:N0} B; per member {bytes / (double)members:0.0} B ({syncs:N0} syncs, {members:N0} members)");

    private static string Kb(long bytes) => bytes >= 10 << 20 ? $"{bytes / 1048576.0:0.0} MB" : $"{bytes / 1024.0:0} KB";

    private async Task StopAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        try
        {
            await _sampling;
        }
        catch (OperationCanceledException)
        {
            // Stopped between two samples.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
