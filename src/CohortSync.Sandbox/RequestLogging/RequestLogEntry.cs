namespace CohortSync.Sandbox.RequestLogging;

/// <summary>
/// One request the sandbox answered. The Iterable fields are filled for Iterable calls: the project the key
/// reached, and for subscribe/unsubscribe the list, subscriber count, userIds sent and channelUnsubscribe.
/// <see cref="Fault"/> names the injected fault that answered the request, if any.
/// </summary>
public sealed record RequestLogEntry(
    long Sequence,
    DateTimeOffset Time,
    string Method,
    string Path,
    string Query,
    int Status,
    double DurationMs,
    long? ProjectId = null,
    long? ListId = null,
    int? SubscriberCount = null,
    IReadOnlyList<string>? UserIds = null,
    bool? ChannelUnsubscribe = null,
    string? Fault = null);
