using CohortSync.Contracts;
using CohortSync.Iterable.Errors;
using CohortSync.Iterable.Hosting;

namespace CohortSync.Grains.Destinations;

/// <summary>Asks Iterable whether a key works before a destination stores it (one <c>GET /api/lists</c>).</summary>
public sealed class IterableKeyCheck(IIterableClientFactory iterable)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task CheckAsync(Uri iterableUrl, string key, string keyHint, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await iterable.Create(iterableUrl, key).GetListsAsync(timeout.Token);
        }
        catch (Exception ex) when (IterableFailures.Classify(ex) == IterableFailureKind.KeyRejected)
        {
            throw new CohortSyncException(ErrorCodes.InvalidArgument, $"Iterable rejected the new key ({keyHint}) as well; the destination was not changed");
        }
        catch (Exception ex) when (IterableFailures.Classify(ex) is not null || ex is OperationCanceledException)
        {
            throw new CohortSyncException(ErrorCodes.IterableUnreachable,
                $"could not check the new key with Iterable ({IterableFailures.Detail(ex)}); the destination was not changed, try again");
        }
    }
}
