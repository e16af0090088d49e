using Orleans.Dashboard;

namespace CohortSync.Silo.Api;

/// <summary>
/// Orleans' own dashboard at <c>/ops/orleans</c>, behind the API's tokens (any valid token: it shows, it changes nothing).
/// Traces are hidden: grain call traces may carry cohort and member ids.
/// </summary>
public static class OrleansDashboardHosting
{
    public const string RoutePrefix = "/ops/orleans";

    public static WebApplicationBuilder AddCohortSyncDashboard(this WebApplicationBuilder builder)
    {
        // UseOrleans again configures the same silo as OrleansHosting does.
        builder.UseOrleans(silo => silo.AddDashboard(options => options.HideTrace = true));
        return builder;
    }

    public static WebApplication MapCohortSyncDashboard(this WebApplication app)
    {
        app.MapOrleansDashboard(routePrefix: RoutePrefix).RequireAuthorization(ApiAuthentication.ReadPolicy);
        return app;
    }
}
