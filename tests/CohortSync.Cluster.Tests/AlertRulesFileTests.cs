using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using CohortSync.Cluster.Tests.Harness;
using CohortSync.Grains;
using Microsoft.Extensions.DependencyInjection;
using YamlDotNet.RepresentationModel;

namespace CohortSync.Cluster.Tests;

/// <summary>
/// deploy/prometheus/cohortsync-alerts.yml names only metrics the engine publishes, under the names the Prometheus
/// exporter gives them (dots to underscores, counters with <c>_total</c>), and covers each condition the alert webhook does.
/// </summary>
public sealed partial class AlertRulesFileTests
{
    [Fact]
    public void Every_metric_an_alert_rule_uses_is_one_the_engine_publishes_and_every_webhook_condition_has_a_rule()
    {
        var rules = Rules();
        var published = PublishedPrometheusNames();

        Assert.NotEmpty(rules);
        foreach (var (name, expr) in rules)
        {
            foreach (Match metric in MetricName().Matches(expr))
                Assert.True(published.Contains(metric.Value), $"rule {name} uses {metric.Value}, which the engine does not publish ({string.Join(", ", published.Order())})");
        }
        foreach (var kind in new[] { "runFailed", "syncPaused", "runHeld", "removalSpike", "driftFound" })
            Assert.Contains(rules, rule => rule.Expr.Contains($"kind=\"{kind}\"", StringComparison.Ordinal));
    }

    private static List<(string Name, string Expr)> Rules()
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(RepositoryFiles.Read("deploy/prometheus/cohortsync-alerts.yml"))) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return [.. ((YamlSequenceNode)root["groups"]).Cast<YamlMappingNode>()
            .SelectMany(group => ((YamlSequenceNode)group["rules"]).Cast<YamlMappingNode>())
            .Select(rule => (((YamlScalarNode)rule["alert"]).Value!, ((YamlScalarNode)rule["expr"]).Value!))];
    }

    /// <summary>The engine's instruments as the Prometheus exporter names them.</summary>
    private static HashSet<string> PublishedPrometheusNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name != CohortSyncMetrics.MeterName) return;
                var name = instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : "");
                names.Add(instrument is Counter<long> ? name + "_total" : name);
            },
        };
        listener.Start();
        using var services = new ServiceCollection().AddMetrics().AddSingleton<Grains.Runs.LargeRunSlots>()
            .AddOptions().AddSingleton<CohortSyncMetrics>().BuildServiceProvider();
        services.GetRequiredService<CohortSyncMetrics>();
        return names;
    }

    [GeneratedRegex(@"cohortsync_[a-z_]+")]
    private static partial Regex MetricName();
}
