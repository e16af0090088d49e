using System.IO.Compression;
using System.Text.Json;
using CohortSync.Sandbox.RequestLogging;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CohortSync.Sandbox.Amplitude;

public static class AmplitudeSandboxEndpoints
{
    internal const string JobInProgress = "JOB INPROGRESS";
    internal const string JobCompleted = "JOB COMPLETED";

    // Amplitude's wire names are snake_case or camelCase field by field, so wire bodies are written as named.
    private static readonly JsonSerializerOptions Wire = new();

    /// <summary>Maps Amplitude's cohort API (/api/3/cohorts, /api/5/cohorts/...), the one-time download links
    /// (/_files/{token}) and the /_admin/amplitude endpoints.</summary>
    public static IEndpointRouteBuilder MapAmplitudeSandbox(this IEndpointRouteBuilder app, AmplitudeSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var api = app.MapGroup("");
        api.AddEndpointFilter(async (context, next) =>
        {
            await sandbox.DelayAsync(context.HttpContext.Request.Headers.Authorization, context.HttpContext.RequestAborted);
            return await next(context);
        });
        MapCohortApi(api, sandbox);
        MapAdmin(app.MapGroup("/_admin/amplitude"), sandbox);
        return app;
    }

    private static void MapCohortApi(IEndpointRouteBuilder app, AmplitudeSandbox sandbox)
    {
        app.MapGet("/api/3/cohorts", (HttpContext context) =>
        {
            if (sandbox.Authenticate(context.Request.Headers.Authorization) is not { } project)
            {
                return Unauthorized();
            }

            var cohorts = sandbox.ListCohorts(project).Select(c => new Dictionary<string, object?>
            {
                ["id"] = c.Cohort.Id,
                ["name"] = c.Cohort.Name,
                ["size"] = c.Cohort.Source.Size,
                ["appId"] = c.AppId,
                ["archived"] = false,
                ["published"] = true,
                ["lastComputed"] = c.Cohort.LastComputed,
                ["description"] = c.Cohort.Description,
                ["owners"] = Array.Empty<string>(),
                ["type"] = "redshift",
            });
            return Results.Json(new Dictionary<string, object> { ["cohorts"] = cohorts }, Wire);
        });

        app.MapGet("/api/5/cohorts/request/{cohortId}", (HttpContext context, string cohortId) =>
        {
            if (sandbox.Authenticate(context.Request.Headers.Authorization) is not { } project)
            {
                return Unauthorized();
            }

            if (sandbox.QuotaUsedUp(project))
            {
                return Error(StatusCodes.Status429TooManyRequests, "too_many_requests", "Monthly cohort download limit reached for this organization");
            }

            var query = context.Request.Query;
            var props = query["props"].ToString() is "1" or "true";
            var propKeys = query["propKeys"].Where(k => !string.IsNullOrEmpty(k)).Select(k => k!).ToArray();
            var request = sandbox.StartRequest(project, cohortId, props, propKeys, context.Request.QueryString.Value ?? "");
            return request is null
                ? Error(StatusCodes.Status404NotFound, "not_found", $"Cohort {cohortId} not found")
                : Results.Json(
                    new Dictionary<string, string> { ["request_id"] = request.Id, ["cohort_id"] = request.CohortId },
                    Wire, statusCode: StatusCodes.Status202Accepted);
        });

        app.MapGet("/api/5/cohorts/request-status/{requestId}", (HttpContext context, string requestId) =>
        {
            if (sandbox.Authenticate(context.Request.Headers.Authorization) is not { } project)
            {
                return Unauthorized();
            }

            if (sandbox.Poll(project, requestId) is not var (request, status))
            {
                return Error(StatusCodes.Status404NotFound, "not_found", $"Request {requestId} not found");
            }

            var body = new Dictionary<string, string>
            {
                ["request_id"] = request.Id, ["cohort_id"] = request.CohortId, ["async_status"] = status,
            };
            return Results.Json(body, Wire, statusCode: status == JobInProgress ? StatusCodes.Status202Accepted : StatusCodes.Status200OK);
        });

        app.MapGet("/api/5/cohorts/request/{requestId}/file", async (HttpContext context, string requestId) =>
        {
            if (sandbox.Authenticate(context.Request.Headers.Authorization) is not { } project)
            {
                return Unauthorized();
            }

            switch (sandbox.AnswerFileRequest(project, requestId))
            {
                case AmplitudeSandbox.FileAnswer.Fault fault:
                    context.RequestDetails().Fault = $"amplitude-download-{fault.Status}";
                    return Error(fault.Status, fault.Status == 429 ? "too_many_requests" : "internal_error", "Injected download failure");
                case AmplitudeSandbox.FileAnswer.NotReady notReady:
                    return Error(StatusCodes.Status400BadRequest, "bad_request", $"Request {requestId} is not completed: {notReady.Status}");
                case AmplitudeSandbox.FileAnswer.Redirect redirect:
                    var origin = redirect.Origin ?? $"{context.Request.Scheme}://{context.Request.Host}";
                    return Results.Redirect($"{origin.TrimEnd('/')}/_files/{redirect.Token}");
                case AmplitudeSandbox.FileAnswer.Serve serve:
                    await ServeFileAsync(context, sandbox, serve.Request);
                    return Results.Empty;
                default:
                    return Error(StatusCodes.Status404NotFound, "not_found", $"Request {requestId} not found");
            }
        });

        // Stands in for the pre-signed S3 URL: no Amplitude auth, one use, short life. Like S3, it refuses a request
        // that also carries an Authorization header, which is how a client leaking credentials on redirect shows up.
        app.MapGet("/_files/{token}", async (HttpContext context, string token) =>
        {
            if (context.Request.Headers.Authorization.Count > 0)
            {
                return Results.Text(
                    "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>",
                    "application/xml", statusCode: StatusCodes.Status400BadRequest);
            }

            switch (sandbox.RedeemLink(token))
            {
                case AmplitudeSandbox.LinkAnswer.Serve serve:
                    await ServeFileAsync(context, sandbox, serve.Request);
                    return Results.Empty;
                case AmplitudeSandbox.LinkAnswer.Fault fault:
                    context.RequestDetails().Fault = $"amplitude-link-{fault.Status}";
                    return Results.Text(
                        fault.Status == StatusCodes.Status403Forbidden
                            ? "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
                            : "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>",
                        "application/xml", statusCode: fault.Status);
                default:
                    return Results.Text(
                        "<Error><Code>AccessDenied</Code><Message>Request has expired or was already used</Message></Error>",
                        "application/xml", statusCode: StatusCodes.Status403Forbidden);
            }
        });
    }

    private static async Task ServeFileAsync(HttpContext context, AmplitudeSandbox sandbox, AmplitudeSandbox.CohortRequest request)
    {
        var response = context.Response;
        var cancellationToken = context.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/csv; charset=utf-8";
        if (sandbox.TakeDownloadAbort(request.Project))
        {
            // A few bytes, then a reset connection: what a dropped download looks like to the client.
            context.RequestDetails().Fault = "amplitude-download-aborted";
            await response.Body.WriteAsync("\"amplitude_id\",\"us"u8.ToArray(), cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
            context.Abort();
            return;
        }

        var gzip = request.Project.Settings.Gzip
            && context.Request.Headers.AcceptEncoding.Any(v => v?.Contains("gzip", StringComparison.OrdinalIgnoreCase) == true);
        if (!gzip)
        {
            await request.Source.WriteFileAsync(response.Body, request.PropertyKeys, cancellationToken);
            return;
        }

        sandbox.CountGzipped(request);
        response.Headers.ContentEncoding = "gzip";
        await using var zip = new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
        await request.Source.WriteFileAsync(zip, request.PropertyKeys, cancellationToken);
    }

    private static IResult Unauthorized() =>
        Error(StatusCodes.Status401Unauthorized, "unauthorized", "Invalid API/Secret Key combination");

    private static IResult Error(int status, string type, string details) =>
        Results.Json(new Dictionary<string, object>
        {
            ["error"] = new Dictionary<string, object>
            {
                ["http_code"] = status, ["type"] = type, ["metadata"] = new Dictionary<string, string> { ["details"] = details },
            },
        }, Wire, statusCode: status);

    private static void MapAdmin(RouteGroupBuilder admin, AmplitudeSandbox sandbox)
    {
        admin.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (Exception e) when (e is ArgumentException or JsonException or InvalidDataException)
            {
                return Results.Json(new { error = e.Message }, AmplitudeSandboxJson.Options, statusCode: StatusCodes.Status400BadRequest);
            }
            catch (KeyNotFoundException e)
            {
                return Results.Json(new { error = e.Message }, AmplitudeSandboxJson.Options, statusCode: StatusCodes.Status404NotFound);
            }
        });

        admin.MapGet("/projects", () => Json(sandbox.GetProjects()));
        admin.MapGet("/projects/{apiKey}", (string apiKey) =>
            sandbox.GetProject(apiKey) is { } project ? Json(project) : NotFound($"No Amplitude project '{apiKey}'."));
        admin.MapPut("/projects/{apiKey}", async (HttpContext context, string apiKey) =>
            Json(sandbox.PutProject(apiKey, await BodyAsync<AmplitudeProjectDefinition>(context))));
        admin.MapDelete("/projects/{apiKey}", (string apiKey) =>
            sandbox.DeleteProject(apiKey) ? Results.NoContent() : NotFound($"No Amplitude project '{apiKey}'."));
        admin.MapPut("/projects/{apiKey}/faults", async (HttpContext context, string apiKey) =>
        {
            sandbox.SetFaults(apiKey, await BodyAsync<AmplitudeFaults>(context));
            return Json(sandbox.GetProject(apiKey));
        });
        admin.MapGet("/projects/{apiKey}/requests", (string apiKey) => Json(sandbox.GetRequests(apiKey)));
        admin.MapGet("/projects/{apiKey}/cohorts", (string apiKey) => Json(sandbox.GetCohorts(apiKey)));
        admin.MapGet("/projects/{apiKey}/cohorts/{cohortId}", (string apiKey, string cohortId) =>
            sandbox.GetCohort(apiKey, cohortId) is { } cohort ? Json(cohort) : NotFound($"No cohort '{cohortId}'."));
        admin.MapPut("/projects/{apiKey}/cohorts/{cohortId}", async (HttpContext context, string apiKey, string cohortId) =>
            Json(sandbox.PutCohort(apiKey, cohortId, await BodyAsync<AmplitudeCohortDefinition>(context))));
        admin.MapDelete("/projects/{apiKey}/cohorts/{cohortId}", (string apiKey, string cohortId) =>
            sandbox.DeleteCohort(apiKey, cohortId) ? Results.NoContent() : NotFound($"No cohort '{cohortId}'."));
        admin.MapWebhookAdmin(sandbox);
        admin.MapPost("/seed-demo", () =>
        {
            sandbox.SeedDemo();
            return Json(sandbox.GetProject(AmplitudeSandbox.DemoApiKey));
        });
        admin.MapPost("/reset", () =>
        {
            sandbox.Reset();
            return Results.NoContent();
        });
    }

    private static async Task<T> BodyAsync<T>(HttpContext context) where T : class =>
        await context.Request.ReadFromJsonAsync<T>(AmplitudeSandboxJson.Options, context.RequestAborted)
        ?? throw new ArgumentException("A JSON body is required.");

    private static JsonHttpResult<T> Json<T>(T value) => TypedResults.Json(value, AmplitudeSandboxJson.Options);

    private static IResult NotFound(string message) =>
        Results.Json(new { error = message }, AmplitudeSandboxJson.Options, statusCode: StatusCodes.Status404NotFound);
}
