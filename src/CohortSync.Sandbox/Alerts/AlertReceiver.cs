using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CohortSync.Sandbox.Alerts;

/// <summary>One alert as the receiver got it: the path it was posted to and its JSON body.</summary>
public sealed record ReceivedAlert(string Path, JsonElement Body, DateTimeOffset At)
{
    public string? Text => Body.TryGetProperty("text", out var text) ? text.GetString() : null;

    public string? Kind => Body.TryGetProperty("kind", out var kind) ? kind.GetString() : null;
}

/// <summary>
/// Stands in for a Slack-style incoming webhook (<c>POST /hooks/{anything}</c>): keeps every alert posted to it and can
/// answer the next few with a 500, so a test sees that alerts are retried and still arrive once.
/// </summary>
public sealed class AlertReceiver
{
    private readonly Lock _gate = new();
    private readonly List<ReceivedAlert> _received = [];
    private int _failNext;

    /// <summary>Alerts answered 200, oldest first.</summary>
    public IReadOnlyList<ReceivedAlert> Received
    {
        get { lock (_gate) return [.. _received]; }
    }

    /// <summary>Posts answered 500 (not kept) so far.</summary>
    public int Refused { get; private set; }

    /// <summary>The next <paramref name="count"/> posts are answered 500.</summary>
    public void FailNext(int count)
    {
        lock (_gate) _failNext = count;
    }

    public void Clear()
    {
        lock (_gate)
        {
            _received.Clear();
            (_failNext, Refused) = (0, 0);
        }
    }

    internal IResult Receive(string path, JsonElement body, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_failNext > 0)
            {
                _failNext--;
                Refused++;
                return Results.StatusCode(StatusCodes.Status500InternalServerError);
            }
            _received.Add(new ReceivedAlert(path, body.Clone(), at));
            return Results.Text("ok");
        }
    }
}

public static class AlertReceiverEndpoints
{
    public static IEndpointRouteBuilder MapAlertReceiver(this IEndpointRouteBuilder app, AlertReceiver receiver, TimeProvider time)
    {
        app.MapPost("/hooks/{**path}", (string path, JsonElement body) => receiver.Receive(path, body, time.GetUtcNow()));
        app.MapGet("/_admin/alerts", () => Results.Json(receiver.Received.Select(a => new { a.Path, a.Body, a.At })));
        return app;
    }
}
