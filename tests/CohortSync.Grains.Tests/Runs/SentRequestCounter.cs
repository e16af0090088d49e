namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// Counts the HTTP attempts the list client made (it sits below the retry handler, so each retry counts). The sandbox
/// logs a request just after answering it; a test waits for the log to catch up with this count before reading it.
/// </summary>
public sealed class SentRequestCounter : DelegatingHandler
{
    private int _answered;

    public int Answered => Volatile.Read(ref _answered);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        finally
        {
            Interlocked.Increment(ref _answered);
        }
    }
}
