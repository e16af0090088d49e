using System.Globalization;
using System.Text.RegularExpressions;
using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>The silo's <c>/metrics</c> (Prometheus text): what the engine did, beside Orleans' and the runtime's own.</summary>
[Collection(nameof(AloneInProcessCollection))]
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_count_runs_by_outcome_members_moved_and_iterable_writes()
    {
        await using var s = await World.StartAsync();
        s.SetCohort("coh-1", "Measured", World.Users(0, 1500));
        var destination = await s.EnableWithDestinationAsync();
        var sync = await s.StartSyncAsync("coh-1", destination);
        await s.WaitForRunAsync(sync.SyncId, 1);
        s.SetCohort("coh-1", "Measured", World.Users(10, 1500));
        var second = await s.RunAndWaitAsync(sync.SyncId);
        Assert.Equal((10, 10), (second.Counts.Added, second.Counts.Removed));

        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{s.Silo.HttpPort}/metrics");

        Assert.Equal(2, Value(text, "cohortsync_runs_total", "outcome=\"succeeded\""));
        Assert.Equal(1510, Value(text, "cohortsync_members_added_total"));
        Assert.Equal(10, Value(text, "cohortsync_members_removed_total"));
        // 1,500 members in batches of 1,000, then one subscribe and one unsubscribe.
        Assert.Equal(4, Value(text, "cohortsync_iterable_writes_total"));
        Assert.Equal(2, Value(text, "cohortsync_amplitude_downloads_total"));
        Assert.Equal(0, Value(text, "cohortsync_runs_active"));
        Assert.Equal(2, Value(text, "cohortsync_run_duration_seconds_count", "outcome=\"succeeded\""));
        Assert.Contains("\norleans_", text);
    }

    [Fact]
    public async Task Metrics_can_be_switched_off()
    {
        await using var s = await World.StartAsync(siloArgs: "--CohortSync:Metrics:Enabled=false");
        using var http = new HttpClient();

        var response = await http.GetAsync($"http://127.0.0.1:{s.Silo.HttpPort}/metrics");
        var ready = await http.GetAsync($"http://127.0.0.1:{s.Silo.HttpPort}/health/ready");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(ready.IsSuccessStatusCode);
    }

    /// <summary>The value of the first sample of <paramref name="name"/> whose labels contain <paramref name="label"/>.</summary>
    private static double Value(string text, string name, string label = "")
    {
        var line = text.Split('\n').FirstOrDefault(l => Regex.IsMatch(l, $"^{Regex.Escape(name)}(\\{{|\\s)") && l.Contains(label, StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no sample of {name} {label} in /metrics:\n{string.Join('\n', text.Split('\n').Where(l => l.StartsWith("cohortsync", StringComparison.Ordinal)))}");
        var sample = line.Contains('}') ? line[(line.LastIndexOf('}') + 1)..] : line[name.Length..];
        return double.Parse(sample.Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
