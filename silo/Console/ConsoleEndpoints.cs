using System.Reflection;

namespace CohortSync.Silo.WebConsole;

/// <summary>
/// The web console at <c>/</c>: one static page and its script, embedded in the silo, that call the HTTP API with the
/// token the operator signs in with (kept in the tab's sessionStorage). The page itself holds no data, so it is served
/// without a token; everything it shows comes from <c>/api/v1</c>. No front-end build: plain HTML, CSS and JavaScript.
/// </summary>
public static class ConsoleEndpoints
{
    private static readonly Assembly Assets = typeof(ConsoleEndpoints).Assembly;

    public static WebApplication MapCohortSyncConsole(this WebApplication app)
    {
        app.MapGet("/", () => Asset("index.html", "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/console/console.js", () => Asset("console.js", "text/javascript; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/console/console.css", () => Asset("console.css", "text/css; charset=utf-8")).ExcludeFromDescription();
        return app;
    }

    private static IResult Asset(string name, string contentType)
    {
        var stream = Assets.GetManifestResourceStream($"CohortSync.Silo.Console.{name}")
            ?? throw new InvalidOperationException($"The console asset {name} is not embedded in the silo.");
        return Results.Stream(stream, contentType);
    }
}
