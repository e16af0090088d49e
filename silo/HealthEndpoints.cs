using Orleans.Runtime;

namespace CohortSync.Silo;

public static class HealthEndpoints
{
    /// <summary>
    /// <c>/health/live</c>: the process answers. <c>/health/ready</c>: the silo is an active cluster member.
    /// <c>/health/cluster</c>: the cluster as this silo sees it (JSON), so an operator can tell when a silo
    /// that joined or died has been noticed by the others.
    /// </summary>
    public static WebApplication MapCohortSyncHealth(this WebApplication app)
    {
        app.MapGet("/health/live", () => Results.Text("live"));
        app.MapGet("/health/ready", (ISiloStatusOracle oracle) =>
            oracle.CurrentStatus == SiloStatus.Active
                ? Results.Text("ready")
                : Results.Text($"not ready: silo is {oracle.CurrentStatus}", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/health/cluster", (ISiloStatusOracle oracle) =>
        {
            var silos = oracle.GetApproximateSiloStatuses(onlyActive: false)
                .OrderBy(s => s.Key.ToParsableString(), StringComparer.Ordinal)
                .Select(s => new ClusterSilo(s.Key.ToParsableString(), s.Value.ToString()))
                .ToList();
            return Results.Json(new ClusterView(oracle.SiloAddress.ToParsableString(), oracle.CurrentStatus.ToString(),
                silos.Count(s => s.Status == nameof(SiloStatus.Active)), silos));
        });
        return app;
    }

    private sealed record ClusterView(string Silo, string Status, int ActiveSilos, IReadOnlyList<ClusterSilo> Silos);

    private sealed record ClusterSilo(string Address, string Status);
}
