using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CohortSync.Iterable.Api;
using CohortSync.Iterable.Delivery;
using CohortSync.Iterable.Errors;
using Refit;

namespace CohortSync.Iterable;

/// <summary>One member identifier from a list read, valid only during the call.</summary>
public delegate void MemberLine(ReadOnlySpan<char> identifier);

/// <summary>
/// Static-list operations against one Iterable project (one API key). Failures surface as
/// <see cref="IterableException"/> subclasses; retries of transient failures happen in the HttpClient's
/// resilience pipeline when the client comes from <see cref="IIterableClientFactory"/>. Pacing and the
/// retrying of 429 answers belong to the <see cref="IIterableRateGate"/> (none by default).
/// </summary>
public sealed class IterableListClient
{
    private static readonly RefitSettings RefitSettings = new(new SystemTextJsonContentSerializer(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        // Optional fields are absent rather than null on the wire.
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    }));

    private readonly IIterableListsApi _api;
    private readonly string _apiKey;
    private readonly IIterableRateGate _gate;

    /// <param name="http">An HttpClient whose BaseAddress is the Iterable origin (see <see cref="IterableRegions"/>).</param>
    /// <param name="apiKey">A server-side key of the Iterable project.</param>
    /// <param name="gate">Paces requests and decides about 429s; null sends at once and surfaces every 429.</param>
    public IterableListClient(HttpClient http, string apiKey, IIterableRateGate? gate = null)
        : this(RestService.For<IIterableListsApi>(RequireBaseAddress(http), RefitSettings), apiKey, gate)
    {
    }

    public IterableListClient(IIterableListsApi api, string apiKey, IIterableRateGate? gate = null)
    {
        _gate = gate ?? UnpacedGate.Instance;
        ArgumentNullException.ThrowIfNull(api);
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            throw new ArgumentException("An Iterable API key is required.", nameof(apiKey));
        }

        _api = api;
        _apiKey = apiKey;
    }

    public async Task<IReadOnlyList<IterableList>> GetListsAsync(CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("get lists", IterableCallKind.Read, null, ct => _api.GetListsAsync(_apiKey, ct), cancellationToken);

        // Reading a malformed answer as "no lists" would make find-or-create create a duplicate.
        var lists = response.Lists ?? throw Unreadable("get lists", "without a lists array");
        return lists
            .Select(list => new IterableList(list.Id, list.Name, list.ListType, DateTimeOffset.FromUnixTimeMilliseconds(list.CreatedAt), list.Description))
            .ToArray();
    }

    /// <summary>The id of the Standard list named exactly <paramref name="name"/>, or null (see <see cref="IterableList.InFindOrder"/>).</summary>
    public async Task<long?> FindListByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return IterableList.InFindOrder(await GetListsAsync(cancellationToken))
            .Where(list => string.Equals(list.Name, name, StringComparison.Ordinal))
            .Select(list => (long?)list.Id)
            .FirstOrDefault();
    }

    /// <summary>Creates a static list. Never retried automatically: a lost answer may hide a created list.</summary>
    public async Task<long> CreateListAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var response = await CallAsync("create list", IterableCallKind.Write, null, ct => _api.CreateListAsync(_apiKey, new CreateListRequest(name), ct), cancellationToken);
        return response.ListId > 0 ? response.ListId : throw Unreadable("create list", "without a listId");
    }

    public async Task<SubscriptionOutcome> SubscribeAsync(long listId, IReadOnlyList<string> userIds, CancellationToken cancellationToken = default)
    {
        CheckBatch(userIds);
        if (userIds.Count == 0)
        {
            // Only the difference is sent: an empty batch is not a request.
            return SubscriptionOutcome.None(ListMembershipOperation.Subscribe);
        }

        var request = new SubscribeRequest(listId, userIds.Select(userId => new ApiSubscriber(UserId: userId)).ToArray());
        var response = await CallAsync("subscribe", IterableCallKind.Write, listId, ct => _api.SubscribeAsync(_apiKey, request, ct), cancellationToken);
        return SubscriptionOutcome.FromResponse(ListMembershipOperation.Subscribe, response);
    }

    public async Task<SubscriptionOutcome> UnsubscribeAsync(long listId, IReadOnlyList<string> userIds, CancellationToken cancellationToken = default)
    {
        CheckBatch(userIds);
        if (userIds.Count == 0)
        {
            return SubscriptionOutcome.None(ListMembershipOperation.Unsubscribe);
        }

        // channelUnsubscribe is sent explicitly: sources disagree on its default, and true would unsubscribe
        // the users from the whole channel rather than from this list.
        var request = new UnsubscribeRequest(listId, userIds.Select(userId => new Unsubscriber(UserId: userId)).ToArray(), ChannelUnsubscribe: false);
        var response = await CallAsync("unsubscribe", IterableCallKind.Write, listId, ct => _api.UnsubscribeAsync(_apiKey, request, ct), cancellationToken);
        return SubscriptionOutcome.FromResponse(ListMembershipOperation.Unsubscribe, response);
    }

    public async Task DeleteListAsync(long listId, CancellationToken cancellationToken = default)
    {
        await CallAsync("delete list", IterableCallKind.Write, listId, ct => _api.DeleteListAsync(_apiKey, listId, ct), cancellationToken);
    }

    /// <summary>Every identifier in the list (GET /api/lists/getUsers, read as a stream of lines).</summary>
    public async Task<IReadOnlyList<string>> GetListUserIdsAsync(long listId, CancellationToken cancellationToken = default)
    {
        var userIds = new List<string>();
        await ReadListUserIdsAsync(listId, id => userIds.Add(id.ToString()), cancellationToken);
        return userIds;
    }

    /// <summary>
    /// Streams the list's members (GET /api/lists/getUsers with preferUserId) to <paramref name="member"/>, one line
    /// at a time, never holding the whole answer. Paced as a <see cref="IterableCallKind.ListRead"/> (5 a minute). A
    /// request cut off while being read is sent again from the start: <paramref name="restart"/> is called first, so the
    /// caller drops what it was given. Returns the number of members read.
    /// </summary>
    public async Task<long> ReadListUserIdsAsync(long listId, MemberLine member, CancellationToken cancellationToken = default, Action? restart = null)
    {
        var attempt = 0;
        return await CallAsync("get list users", IterableCallKind.ListRead, listId, async ct =>
        {
            if (attempt++ > 0) restart?.Invoke();
            await using var stream = await _api.GetUsersPreferringUserIdAsync(_apiKey, listId, ct);
            return await LineReader.ReadAsync(stream, member, ct);
        }, cancellationToken);
    }

    /// <summary>How many members the list has (GET /api/lists/{listId}/size), paced as a <see cref="IterableCallKind.ListRead"/>.</summary>
    public async Task<long> GetListSizeAsync(long listId, CancellationToken cancellationToken = default)
    {
        var text = await CallAsync("get list size", IterableCallKind.ListRead, listId, ct => _api.GetSizeAsync(_apiKey, listId, ct), cancellationToken);
        return long.TryParse(text.Trim().Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size)
            ? size
            : throw Unreadable("get list size", "with a body that is not a number");
    }

    /// <summary>
    /// One operation: enter the gate, send, and on a 429 let the gate decide whether the same request goes again.
    /// A 429 changed nothing at Iterable, so sending it again is safe even for list creation.
    /// </summary>
    private async Task<T> CallAsync<T>(string operation, IterableCallKind kind, long? listId, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var rateLimited = 1; ; rateLimited++)
        {
            await _gate.EnterAsync(kind, cancellationToken);
            try
            {
                return await call(cancellationToken);
            }
            catch (Exception exception) when (exception is ApiExceptionBase or HttpRequestException or OperationCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException or IOException)
            {
                var translated = IterableErrorTranslator.Translate(exception, operation, listId, _apiKey, cancellationToken);
                if (translated is null)
                {
                    throw;
                }

                if (translated is IterableRateLimitedException limited
                    && await _gate.RateLimitedAsync(kind, limited.RetryAfter, rateLimited, cancellationToken))
                {
                    continue;
                }

                throw translated;
            }
        }
    }

    private static IterableRequestException Unreadable(string operation, string what) =>
        new($"Iterable {operation} answered HTTP 200 {what}.", System.Net.HttpStatusCode.OK, null, null);

    private static void CheckBatch(IReadOnlyList<string> userIds)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        if (userIds.Count > IterableLimits.MaxSubscribersPerRequest)
        {
            throw new ArgumentException(
                $"A batch holds at most {IterableLimits.MaxSubscribersPerRequest} subscribers; got {userIds.Count}.", nameof(userIds));
        }
    }

    private static HttpClient RequireBaseAddress(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress (the Iterable origin).", nameof(http));
        }

        return http;
    }
}
