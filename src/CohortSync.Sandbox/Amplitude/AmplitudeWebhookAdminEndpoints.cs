using Microsoft.AspNetCore.Http.HttpResults;

namespace CohortSync.Sandbox.Amplitude;

/// <summary>
/// /_admin/amplitude/projects/{apiKey}/webhook...: the destination, explicit sends, the delivery log. Mapped inside the
/// /_admin/amplitude group, so invalid bodies answer 400 and unknown projects (or no destination) 404.
/// </summary>
internal static class AmplitudeWebhookAdminEndpoints
{
    public static void MapWebhookAdmin(this RouteGroupBuilder admin, AmplitudeSandbox sandbox)
    {
        admin.MapPut("/projects/{apiKey}/webhook", async (HttpContext context, string apiKey) =>
            Json(sandbox.PutWebhook(apiKey, await BodyAsync<AmplitudeWebhookDestination>(context))));
        admin.MapGet("/projects/{apiKey}/webhook", (string apiKey) =>
            sandbox.GetWebhook(apiKey) is { } destination ? Json(destination) : NotFound($"Amplitude project '{apiKey}' has no webhook destination."));
        admin.MapDelete("/projects/{apiKey}/webhook", (string apiKey) =>
            sandbox.DeleteWebhook(apiKey) ? Results.NoContent() : NotFound($"Amplitude project '{apiKey}' has no webhook destination."));
        admin.MapPost("/projects/{apiKey}/cohorts/{cohortId}/webhook", async (HttpContext context, string apiKey, string cohortId) =>
            Json(sandbox.SendWebhook(apiKey, cohortId, await BodyAsync<AmplitudeWebhookSendRequest>(context))));
        admin.MapGet("/projects/{apiKey}/webhook/deliveries", (string apiKey, long? since) =>
            Json(sandbox.GetWebhookDeliveries(apiKey, since)));
        admin.MapDelete("/projects/{apiKey}/webhook/deliveries", (string apiKey) =>
        {
            sandbox.ClearWebhookDeliveries(apiKey);
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
