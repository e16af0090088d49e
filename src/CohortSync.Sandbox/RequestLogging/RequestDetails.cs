using Microsoft.AspNetCore.Http;

namespace CohortSync.Sandbox.RequestLogging;

/// <summary>What an endpoint adds to the request's log entry; one per request, kept as an HttpContext feature.</summary>
public sealed class RequestDetails
{
    public long? ProjectId { get; set; }

    public long? ListId { get; set; }

    public int? SubscriberCount { get; set; }

    public IReadOnlyList<string>? UserIds { get; set; }

    public bool? ChannelUnsubscribe { get; set; }

    public string? Fault { get; set; }
}

public static class RequestDetailsHttpContextExtensions
{
    /// <summary>The request's details; a detached instance when the request is not being logged.</summary>
    public static RequestDetails RequestDetails(this HttpContext context)
    {
        var details = context.Features.Get<RequestDetails>();
        if (details is null)
        {
            details = new RequestDetails();
            context.Features.Set(details);
        }

        return details;
    }
}
