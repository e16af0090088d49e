using CohortSync.Grains;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace CohortSync.Silo;

/// <summary>
/// Metrics: the engine's (<see cref="CohortSyncMetrics"/>), Orleans' own, the .NET runtime's and outgoing HTTP
/// (Iterable, Amplitude). Scraped as Prometheus text at <c>/metrics</c> on the health port; also pushed over
/// OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class Telemetry
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Set to false to run without the metrics pipeline (and without <c>/metrics</c>).</summary>
    public const string EnabledKey = "CohortSync:Metrics:Enabled";

    /// <summary>Set to true to answer <c>/metrics</c> only to requests with an API token (<c>cohortsync token create</c>).</summary>
    public const string RequireTokenKey = "CohortSync:Metrics:RequireToken";

    public static bool Enabled(IConfiguration configuration) => configuration.GetValue(EnabledKey, true);

    public static WebApplicationBuilder AddCohortSyncTelemetry(this WebApplicationBuilder builder)
    {
        if (!Enabled(builder.Configuration)) return builder;
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("cohortsync-silo"))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(CohortSyncMetrics.MeterName, "Microsoft.Orleans")
                    .AddRuntimeInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddPrometheusExporter();
                if (otlp) metrics.AddOtlpExporter();
            });
        return builder;
    }

    public static WebApplication MapCohortSyncMetrics(this WebApplication app)
    {
        if (!Enabled(app.Configuration)) return app;
        var metrics = app.MapPrometheusScrapingEndpoint("/metrics");
        if (app.Configuration.GetValue(RequireTokenKey, false)) metrics.RequireAuthorization(Api.ApiAuthentication.ReadPolicy);
        return app;
    }
}
