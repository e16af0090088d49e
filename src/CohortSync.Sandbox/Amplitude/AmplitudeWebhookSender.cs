using System.Globalization;
using System.Net.Http.Headers;
using System.Threading.Channels;

namespace CohortSync.Sandbox.Amplitude;

/// <summary>
/// Plays Amplitude's cohort webhook sender: one outbox per Amplitude project with a destination, sent in the
/// background one batch at a time in queue order, with retries, duplicates and delays on demand, and a log of
/// every delivery for tests to wait on. Header values are kept in memory only and never logged or shown in full.
/// </summary>
internal sealed class AmplitudeWebhookSender : IAsyncDisposable
{
    public const int MaxHeaders = 5;
    private const int MaxResponseChars = 4000;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // Amplitude sets these two on every webhook; a custom header may not replace them (nor what HTTP itself owns).
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "User-Agent", "Content-Length", "Host", "Transfer-Encoding", "Connection", "Content-Encoding",
    };

    private readonly TimeProvider _time;
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Outbox> _outboxes = new(StringComparer.Ordinal);
    private readonly Dictionary<(string ApiKey, string CohortId), long> _lastComputedTime = [];
    private readonly CancellationTokenSource _stopping = new();
    private long _nextSequence;
    private bool _disposed;

    public AmplitudeWebhookSender(TimeProvider time)
    {
        _time = time;
        // Not a valid product token ("Webhook/1.0" holds a slash), so added as Amplitude sends it, unparsed.
        _http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", "Amplitude/Webhook/1.0");
    }

    /// <summary>Creates or replaces the project's destination; batches already queued keep the settings they had.</summary>
    public AmplitudeWebhookDestinationSummary Configure(string apiKey, AmplitudeWebhookDestination destination)
    {
        Validate(destination);
        lock (_lock)
        {
            if (_outboxes.TryGetValue(apiKey, out var outbox))
            {
                outbox.Destination = destination;
            }
            else
            {
                outbox = new Outbox(destination, CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
                _outboxes[apiKey] = outbox;
                outbox.Loop = Task.Run(() => RunAsync(outbox));
            }

            return Summary(destination);
        }
    }

    public AmplitudeWebhookDestinationSummary? Get(string apiKey)
    {
        lock (_lock)
        {
            return _outboxes.TryGetValue(apiKey, out var outbox) ? Summary(outbox.Destination) : null;
        }
    }

    /// <summary>Forgets the destination, its queue and its log.</summary>
    public bool Remove(string apiKey)
    {
        Outbox? outbox;
        lock (_lock)
        {
            _outboxes.Remove(apiKey, out outbox);
        }

        // Cancelled outside the lock: the loop may go on inline and take the lock to log.
        outbox?.Stop();
        return outbox is not null;
    }

    public void Reset()
    {
        Outbox[] outboxes;
        lock (_lock)
        {
            outboxes = [.. _outboxes.Values];
            _outboxes.Clear();
            _lastComputedTime.Clear();
        }

        foreach (var outbox in outboxes)
        {
            outbox.Stop();
        }
    }

    /// <summary>
    /// Queues one change of a cohort. Null when the project has no destination. computed_time is the clock's epoch
    /// second, moved past the cohort's last one when needed: a receiver keeps the first of two equal times, so two
    /// changes within one second would otherwise look like one.
    /// </summary>
    public AmplitudeWebhookQueued? Enqueue(
        string apiKey, string cohortId, string cohortName, IReadOnlyList<AmplitudeWebhookUser> entered, IReadOnlyList<AmplitudeWebhookUser> exited,
        long? computedTime = null, string? messageIdPrefix = null)
    {
        lock (_lock)
        {
            if (!_outboxes.TryGetValue(apiKey, out var outbox))
            {
                return null;
            }

            var key = (apiKey, cohortId);
            var time = computedTime
                ?? Math.Max(_time.GetUtcNow().ToUnixTimeSeconds(), _lastComputedTime.GetValueOrDefault(key) + 1);
            _lastComputedTime[key] = Math.Max(time, _lastComputedTime.GetValueOrDefault(key));

            var settings = outbox.Destination;
            var batches = AmplitudeWebhookBatch.Plan(
                cohortId, cohortName, entered, exited, time, messageIdPrefix ?? Guid.NewGuid().ToString(), settings.BatchSize, settings.Reverse);
            var now = _time.GetUtcNow();
            foreach (var batch in batches)
            {
                var copies = Enumerable.Range(1, settings.Duplicate ? 2 : 1).Select(copy => new Delivery(++_nextSequence, batch, copy, now)).ToArray();
                outbox.Log.AddRange(copies);
                outbox.Jobs.Writer.TryWrite(new Job(batch, settings, copies));
            }

            return new AmplitudeWebhookQueued(batches.Select(b => b.MessageId).ToArray(), time.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The project's deliveries, oldest first (only those after <paramref name="since"/> when given); null without a destination.</summary>
    public IReadOnlyList<AmplitudeWebhookDelivery>? Deliveries(string apiKey, long? since)
    {
        lock (_lock)
        {
            return _outboxes.TryGetValue(apiKey, out var outbox)
                ? outbox.Log.Where(d => d.Sequence > (since ?? 0)).Select(d => d.Record()).ToArray()
                : null;
        }
    }

    public bool ClearDeliveries(string apiKey)
    {
        lock (_lock)
        {
            if (!_outboxes.TryGetValue(apiKey, out var outbox))
            {
                return false;
            }

            outbox.Log.RemoveAll(d => d.State is AmplitudeWebhookDeliveryState.Delivered or AmplitudeWebhookDeliveryState.Failed);
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task[] loops;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loops = _outboxes.Values.Select(o => o.Loop).ToArray();
        }

        await _stopping.CancelAsync();
        await Task.WhenAll(loops);
        _http.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync(Outbox outbox)
    {
        var stopping = outbox.Stopping.Token;
        try
        {
            await foreach (var job in outbox.Jobs.Reader.ReadAllAsync(stopping))
            {
                if (job.Settings.DelayMs > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(job.Settings.DelayMs), _time, stopping);
                }

                var body = job.Batch.ToJson();
                foreach (var copy in job.Copies)
                {
                    await DeliverAsync(job.Settings, body, copy, stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Removed, reset or disposed: what is still queued is dropped, as when Amplitude's destination is deleted.
        }
    }

    private async Task DeliverAsync(AmplitudeWebhookDestination settings, byte[] body, Delivery delivery, CancellationToken stopping)
    {
        var backoff = TimeSpan.FromMilliseconds(settings.RetryBackoffMs);
        for (var attempt = 1; ; attempt++)
        {
            Update(delivery, d => { d.State = AmplitudeWebhookDeliveryState.Sending; d.Attempts = attempt; });
            var (status, error, answer) = await AttemptAsync(settings, body, stopping);
            var delivered = status is >= 200 and < 300;
            var last = delivered || attempt > settings.Retries;
            Update(delivery, d =>
            {
                d.LastStatus = status;
                d.LastError = error;
                d.ResponseBody = answer;
                if (last)
                {
                    d.State = delivered ? AmplitudeWebhookDeliveryState.Delivered : AmplitudeWebhookDeliveryState.Failed;
                    d.FinishedAt = _time.GetUtcNow();
                }
            });
            if (last)
            {
                return;
            }

            await Task.Delay(backoff, _time, stopping);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task<(int? Status, string? Error, string? Body)> AttemptAsync(AmplitudeWebhookDestination settings, byte[] body, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(settings.TimeoutMs));
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in settings.Headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            return ((int)response.StatusCode, null, text.Length > MaxResponseChars ? text[..MaxResponseChars] : text);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return (null, $"No answer within {settings.TimeoutMs} ms.", null);
        }
        catch (HttpRequestException failed)
        {
            return (null, $"The connection failed ({failed.HttpRequestError}).", null);
        }
        catch (Exception other) when (other is not OperationCanceledException)
        {
            return (null, $"The request could not be sent ({other.GetType().Name}).", null);
        }
    }

    private void Update(Delivery delivery, Action<Delivery> change)
    {
        lock (_lock)
        {
            change(delivery);
        }
    }

    private static void Validate(AmplitudeWebhookDestination destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!Uri.TryCreate(destination.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException("url must be an absolute http or https URL.");
        }

        if (url.UserInfo.Length > 0)
        {
            throw new ArgumentException("url must not carry credentials; send them in a header.");
        }

        var headers = destination.Headers ?? new Dictionary<string, string>();
        if (headers.Count > MaxHeaders)
        {
            throw new ArgumentException($"Amplitude allows at most {MaxHeaders} custom headers.");
        }

        foreach (var (name, value) in headers)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Any(c => c <= ' ' || c >= 127 || c == ':') || ReservedHeaders.Contains(name))
            {
                throw new ArgumentException($"Header name '{name}' is not allowed (Content-Type and User-Agent are Amplitude's own).");
            }

            if (value is null || value.Any(c => c is '\r' or '\n'))
            {
                throw new ArgumentException($"Header '{name}' needs a one-line value.");
            }
        }

        if (destination.BatchSize is < 1 or > 10_000 || destination.Retries is < 0 or > 10 || destination.DelayMs is < 0 or > 60_000
            || destination.RetryBackoffMs is < 0 or > 60_000 || destination.TimeoutMs is < 100 or > 120_000)
        {
            throw new ArgumentException(
                "batchSize must be 1–10000, retries 0–10, delayMs and retryBackoffMs 0–60000, timeoutMs 100–120000.");
        }
    }

    private static AmplitudeWebhookDestinationSummary Summary(AmplitudeWebhookDestination d) =>
        new(d.Url, (d.Headers ?? new Dictionary<string, string>()).ToDictionary(h => h.Key, h => Hint(h.Value), StringComparer.OrdinalIgnoreCase),
            d.BatchSize, d.Retries, d.Duplicate, d.Reverse, d.DelayMs, d.RetryBackoffMs, d.TimeoutMs);

    /// <summary>A header value as shown back: its last four characters, and only when it is long enough to hide the rest.</summary>
    private static string Hint(string value) => value.Length >= 12 ? "…" + value[^4..] : "…";

    private sealed class Outbox(AmplitudeWebhookDestination destination, CancellationTokenSource stopping)
    {
        public AmplitudeWebhookDestination Destination { get; set; } = destination;
        public Channel<Job> Jobs { get; } = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
        public List<Delivery> Log { get; } = [];
        public CancellationTokenSource Stopping { get; } = stopping;
        public Task Loop { get; set; } = Task.CompletedTask;

        public void Stop()
        {
            Jobs.Writer.TryComplete();
            Stopping.Cancel();
            _ = Loop.ContinueWith(_ => Stopping.Dispose(), TaskScheduler.Default);
        }
    }

    private sealed record Job(AmplitudeWebhookBatch Batch, AmplitudeWebhookDestination Settings, IReadOnlyList<Delivery> Copies);

    private sealed class Delivery(long sequence, AmplitudeWebhookBatch batch, int copy, DateTimeOffset queuedAt)
    {
        public long Sequence { get; } = sequence;
        public AmplitudeWebhookDeliveryState State { get; set; }
        public int Attempts { get; set; }
        public int? LastStatus { get; set; }
        public string? LastError { get; set; }
        public string? ResponseBody { get; set; }
        public DateTimeOffset? FinishedAt { get; set; }

        public AmplitudeWebhookDelivery Record() => new(
            Sequence, batch.MessageId, batch.CohortId, batch.InCohort, batch.ComputedTimeText, copy,
            batch.Users.Select(u => u.UserId).ToArray(), State, Attempts, LastStatus, LastError, ResponseBody, queuedAt, FinishedAt);
    }
}
