using System.Buffers;
using CohortSync.Contracts;
using CohortSync.Grains.Projects;
using CohortSync.Storage.Webhooks;

namespace CohortSync.Silo;

/// <summary>
/// <c>POST /webhooks/amplitude/{projectId}</c>: Amplitude's cohort webhook destination, authenticated by the project's
/// token in <c>Authorization: Bearer …</c>. Answers 200 only once the batch is stored; 401 for a missing or wrong
/// token and for an unknown project (the answer does not tell which projects exist); 403 for a disabled project;
/// 400 for a body it cannot use; 413 beyond <see cref="MaxBodyBytes"/>; 503 while the database or cluster cannot be reached.
/// </summary>
public static class WebhookEndpoints
{
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    public static WebApplicationBuilder AddCohortSyncWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WebhookMetrics>();
        return builder;
    }

    public static WebApplication MapCohortSyncWebhooks(this WebApplication app)
    {
        app.MapPost("/webhooks/amplitude/{projectId}", ReceiveAsync);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(
        string projectId, HttpContext http, IGrainFactory grains, IWebhookStore store, WebhookMetrics metrics,
        TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("CohortSync.Silo.Webhooks");
        IResult Reject(int status, string reason)
        {
            metrics.Rejected(status);
            logger.LogWarning("Webhook for project {ProjectId} refused with {Status}: {Reason}", projectId, status, reason);
            return Results.Json(new WebhookError(reason), statusCode: status);
        }

        if (!GrainKeys.IsValidId(projectId) || BearerToken(http.Request) is not { } token)
            return Reject(StatusCodes.Status401Unauthorized, "The request has no valid bearer token for this project.");

        var project = grains.GetGrain<IProjectGrain>(projectId);
        WebhookAccess access;
        try
        {
            access = await project.CheckWebhookTokenAsync(WebhookToken.Hash(token));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Webhook for project {ProjectId}: the token could not be checked", projectId);
            return Reject(StatusCodes.Status503ServiceUnavailable, "The cluster could not check the token now; send the batch again.");
        }
        switch (access)
        {
            case WebhookAccess.Granted: break;
            case WebhookAccess.ProjectDisabled:
                return Reject(StatusCodes.Status403Forbidden, $"Project {projectId} is disabled; enable it to receive webhooks again.");
            default:
                return Reject(StatusCodes.Status401Unauthorized, "The request has no valid bearer token for this project.");
        }

        var body = await ReadBoundedAsync(http.Request, cancellationToken);
        if (body is null)
            return Reject(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {MaxBodyBytes / (1024 * 1024)} MiB; send smaller batches.");
        if (!AmplitudeWebhookPayload.TryRead(body.Value, projectId, clock.GetUtcNow(), out var parsed, out var error))
            return Reject(StatusCodes.Status400BadRequest, error!);

        var batch = parsed!.Batch;
        WebhookStoreResult stored;
        try
        {
            stored = await store.StoreBatchAsync(batch, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Webhook for project {ProjectId}: batch {MessageId} could not be stored", projectId, batch.MessageId);
            return Reject(StatusCodes.Status503ServiceUnavailable, "The batch could not be stored now; send it again.");
        }

        if (stored.Duplicate)
        {
            metrics.Duplicate();
            logger.LogInformation("Webhook for project {ProjectId}: batch {MessageId} was stored before; nothing changed", projectId, batch.MessageId);
        }
        else
        {
            metrics.Stored(parsed.Skipped);
            logger.LogInformation(
                "Webhook for project {ProjectId}: batch {MessageId} of cohort {CohortId} stored ({Applied} applied, {Stale} stale, {Skipped} skipped)",
                projectId, batch.MessageId, batch.CohortId, stored.Applied, stored.Stale, parsed.Skipped);
            Notify(project, batch.CohortId, logger);
        }
        return Results.Json(new WebhookAnswer(batch.MessageId, stored.Duplicate, batch.Members.Count + parsed.Skipped, stored.Applied, stored.Stale, parsed.Skipped));
    }

    /// <summary>Tells the project a batch is stored; the batch is durable already, so a failure here only delays it.</summary>
    private static void Notify(IProjectGrain project, string cohortId, ILogger logger)
    {
        try
        {
            _ = project.WebhookBatchStoredAsync(cohortId);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Webhook: could not tell project {ProjectId} about a stored batch ({Error})", project.GetPrimaryKeyString(), ex.GetType().Name);
        }
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var token = header[scheme.Length..].Trim();
        return token.Length is > 0 and <= 512 ? token : null;
    }

    /// <summary>The whole body, or null as soon as it passes <see cref="MaxBodyBytes"/> (never buffered beyond that).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 64 * 1024, MaxBodyBytes) + 1);
        while (true)
        {
            var memory = buffer.GetMemory(64 * 1024);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0) return buffer.WrittenMemory;
            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBodyBytes) return null;
        }
    }

    private sealed record WebhookError(string Error);

    private sealed record WebhookAnswer(string MessageId, bool Duplicate, int Received, int Applied, int Stale, int Skipped);
}
