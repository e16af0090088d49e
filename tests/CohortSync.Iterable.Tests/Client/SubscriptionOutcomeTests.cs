using CohortSync.Iterable.Api;
using Xunit;

namespace CohortSync.Iterable.Tests.Client;

public sealed class SubscriptionOutcomeTests
{
    private static readonly string[] Sent = ["a", "b", "c", "d", "e", "f", "g"];

    private static readonly UserBulkUpdateListResponse Mixed = new(
        SuccessCount: 2,
        FailCount: 5,
        InvalidUserIds: ["b"],
        FailedUpdates: new FailedUserUpdates(
            InvalidUserIds: ["b"],
            NotFoundUserIds: ["c"],
            ForgottenUserIds: ["d"],
            ConflictUserIds: ["e"],
            InvalidDataUserIds: ["f"]));

    [Fact]
    public void Subscribe_acknowledges_only_members_without_any_failure()
    {
        var outcome = SubscriptionOutcome.FromResponse(ListMembershipOperation.Subscribe, Mixed);

        Assert.Equal(["a", "g"], outcome.Acknowledged(Sent));
    }

    [Fact]
    public void Unsubscribe_counts_not_found_as_removed()
    {
        var outcome = SubscriptionOutcome.FromResponse(ListMembershipOperation.Unsubscribe, Mixed);

        Assert.Equal(["a", "c", "g"], outcome.Acknowledged(Sent));
    }

    [Fact]
    public void The_deprecated_and_the_new_invalid_lists_are_merged_without_duplicates()
    {
        var response = new UserBulkUpdateListResponse(0, 2, InvalidUserIds: ["x"], FailedUpdates: new FailedUserUpdates(InvalidUserIds: ["x", "y"]));

        var outcome = SubscriptionOutcome.FromResponse(ListMembershipOperation.Subscribe, response);

        Assert.Equal(["x", "y"], outcome.Invalid);
        Assert.Equal(0, outcome.UnattributedFailures);
    }

    [Fact]
    public void Failures_that_Iterable_does_not_name_acknowledge_nothing()
    {
        var response = new UserBulkUpdateListResponse(SuccessCount: 6, FailCount: 1);

        var outcome = SubscriptionOutcome.FromResponse(ListMembershipOperation.Subscribe, response);

        Assert.Equal(1, outcome.UnattributedFailures);
        Assert.Empty(outcome.Acknowledged(Sent));
    }

    [Fact]
    public void A_clean_answer_acknowledges_the_whole_batch()
    {
        var outcome = SubscriptionOutcome.FromResponse(ListMembershipOperation.Subscribe, new UserBulkUpdateListResponse(7, 0, InvalidEmails: [], InvalidUserIds: []));

        Assert.Equal(Sent, outcome.Acknowledged(Sent));
    }
}
