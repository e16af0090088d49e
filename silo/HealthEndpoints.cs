using Orleans.Runtime;

namespace CohortSync.Silo;

public static class HealthEndpoints
{
    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: the silo is an active cluster member.</summary>
    public static WebApplication MapCohortSyncHealth(this WebApplication app)
    {
        app.MapGet("/health/live", () => Results.Text("live"));
        app.MapGet("/health/ready", (ISiloStatusOracle oracle) =>
            oracle.CurrentStatus == SiloStatus.Active
                ? Results.Text("ready")
                : Results.Text($"not ready: silo is {oracle.CurrentStatus}", statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }
}
