using CohortSync.Iterable.Api;

namespace CohortSync.Iterable;

public enum ListMembershipOperation
{
    Subscribe,
    Unsubscribe,
}

/// <summary>
/// What Iterable said, member by member, about one subscribe or unsubscribe batch (a 200 answer can
/// still reject some members). Lists hold userIds.
/// </summary>
public sealed record SubscriptionOutcome(
    ListMembershipOperation Operation,
    int SucceededCount,
    int FailedCount,
    IReadOnlyList<string> Invalid,
    IReadOnlyList<string> NotFound,
    IReadOnlyList<string> Forgotten,
    IReadOnlyList<string> Conflict,
    IReadOnlyList<string> InvalidData)
{
    public static SubscriptionOutcome None(ListMembershipOperation operation) => new(operation, 0, 0, [], [], [], [], []);

    public static SubscriptionOutcome FromResponse(ListMembershipOperation operation, UserBulkUpdateListResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var failed = response.FailedUpdates;

        // The top-level invalidUserIds is deprecated but still sent; merge both so neither source is missed.
        var invalid = Distinct(response.InvalidUserIds, failed?.InvalidUserIds);
        return new SubscriptionOutcome(
            operation,
            response.SuccessCount,
            response.FailCount,
            invalid,
            Distinct(failed?.NotFoundUserIds),
            Distinct(failed?.ForgottenUserIds),
            Distinct(failed?.ConflictUserIds),
            Distinct(failed?.InvalidDataUserIds));
    }

    /// <summary>
    /// Failures Iterable counted but did not name (e.g. failures on emails, or a body without failedUpdates).
    /// </summary>
    public int UnattributedFailures
    {
        get
        {
            var named = new HashSet<string>(Invalid, StringComparer.Ordinal);
            named.UnionWith(NotFound);
            named.UnionWith(Forgotten);
            named.UnionWith(Conflict);
            named.UnionWith(InvalidData);
            return Math.Max(0, FailedCount - named.Count);
        }
    }

    /// <summary>
    /// The userIds of <paramref name="sent"/> whose change Iterable acknowledged, in the order sent.
    /// Subscribe: everything not rejected (invalid, forgotten, conflict, invalid data, not found).
    /// Unsubscribe: the same, except that not found counts as removed (the member is already gone).
    /// When Iterable reports failures it does not name, no member of the batch can be trusted, so none is
    /// acknowledged; the next run sends them again, which is harmless because both calls are idempotent.
    /// </summary>
    public IReadOnlyList<string> Acknowledged(IReadOnlyList<string> sent)
    {
        ArgumentNullException.ThrowIfNull(sent);
        if (UnattributedFailures > 0)
        {
            return [];
        }

        var rejected = new HashSet<string>(Invalid, StringComparer.Ordinal);
        rejected.UnionWith(Forgotten);
        rejected.UnionWith(Conflict);
        rejected.UnionWith(InvalidData);
        if (Operation == ListMembershipOperation.Subscribe)
        {
            rejected.UnionWith(NotFound);
        }

        if (rejected.Count == 0)
        {
            return sent;
        }

        return sent.Where(userId => !rejected.Contains(userId)).ToArray();
    }

    private static IReadOnlyList<string> Distinct(params IReadOnlyList<string>?[] sources)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var source in sources)
        {
            if (source is null)
            {
                continue;
            }

            foreach (var value in source)
            {
                if (seen.Add(value))
                {
                    result.Add(value);
                }
            }
        }

        return result;
    }
}
