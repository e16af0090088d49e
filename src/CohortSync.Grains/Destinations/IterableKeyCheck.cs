using CohortSync.Contracts;
using CohortSync.Iterable.Errors;
using CohortSync.Iterable.Hosting;

namespace CohortSync.Grains.Destinations;

/// <summary>Asks Iterable whether a key works before a destination stores it (one <c>GET /api/lists</c>).</summary>
public sealed class IterableKeyCheck(IIterableClientFactory iterable)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The key replacing a destination's (<c>destination update</c>): a refusal says the destination was not changed.</summary>
    public Task CheckAsync(Uri iterableUrl, string key, string keyHint, CancellationToken cancellationToken) =>
        CheckAsync(iterableUrl, key, cancellationToken,
            rejected: $"Iterable rejected the new key ({keyHint}) as well; the destination was not changed",
            subject: "the new key", outcome: "the destination was not changed");

    /// <summary>The key of a destination being added (<c>destination add</c>): the same errors, saying it was not added.</summary>
    public Task CheckNewAsync(Uri iterableUrl, string key, string keyHint, CancellationToken cancellationToken) =>
        CheckAsync(iterableUrl, key, cancellationToken,
            rejected: $"Iterable rejected the key ({keyHint}); the destination was not added, check the key in Iterable (Integrations → API keys)",
            subject: "the key", outcome: "the destination was not added");

    private async Task CheckAsync(Uri iterableUrl, string key, CancellationToken cancellationToken, string rejected, string subject, string outcome)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await iterable.Create(iterableUrl, key).GetListsAsync(timeout.Token);
        }
        catch (Exception ex) when (IterableFailures.Classify(ex) == IterableFailureKind.KeyRejected)
        {
            throw new CohortSyncException(ErrorCodes.InvalidArgument, rejected);
        }
        catch (Exception ex) when (IterableFailures.Classify(ex) is not null || ex is OperationCanceledException)
        {
            throw new CohortSyncException(ErrorCodes.IterableUnreachable,
                $"could not check {subject} with Iterable ({IterableFailures.Detail(ex)}); {outcome}, try again");
        }
    }
}
