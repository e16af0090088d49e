using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CohortSync.Sandbox.RequestLogging;

public static class RequestLogMiddleware
{
    /// <summary>Reading the log is not itself logged, so polling it does not change what is read.</summary>
    private const string LogPath = "/_admin/requests";

    /// <summary>Records every request (with the details endpoints added) in <paramref name="log"/>.</summary>
    public static IApplicationBuilder UseRequestLog(this IApplicationBuilder app, RequestLog log, TimeProvider time)
    {
        return app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(LogPath))
            {
                await next(context);
                return;
            }

            var details = new RequestDetails();
            context.Features.Set(details);
            var started = time.GetUtcNow();
            var stamp = Stopwatch.GetTimestamp();
            var status = StatusCodes.Status500InternalServerError;
            try
            {
                await next(context);
                status = context.Response.StatusCode;
            }
            finally
            {
                var request = context.Request;
                log.Append(sequence => new RequestLogEntry(
                    sequence,
                    started,
                    request.Method,
                    request.Path.Value ?? "",
                    request.QueryString.Value ?? "",
                    status,
                    Stopwatch.GetElapsedTime(stamp).TotalMilliseconds,
                    details.ProjectId,
                    details.ListId,
                    details.SubscriberCount,
                    details.UserIds,
                    details.ChannelUnsubscribe,
                    details.Fault));
            }
        });
    }
}
