using System.Text.Json;
using CohortSync.Core.Identity;
using CohortSync.Storage.Webhooks;

namespace CohortSync.Grains.Runs;

/// <summary>
/// A cohort's pushed changes as the webhook store keeps them (one latest state per Amplitude user, each with a rising
/// position), mapped to the destination's identifier: <c>user_id</c>, or the mapped property from the member's
/// <c>user_properties</c> as Amplitude sent it.
/// </summary>
public sealed class WebhookMemberChanges(IWebhookStore store, string projectId, string cohortId, string userProperty) : IMemberChanges
{
    private const int Page = 5000;

    public async Task<long> LatestAsync(CancellationToken ct) => (await store.ReadChangesAsync(projectId, cohortId, long.MaxValue - 1, 1, ct)).MaxSeq;

    public async Task<MemberChangeSet> ReadAsync(long after, CancellationToken ct)
    {
        var (entered, exited) = (new DesiredSetBuilder(), new DesiredSetBuilder());
        var (upto, changes) = (after, 0L);
        while (true)
        {
            var page = await store.ReadChangesAsync(projectId, cohortId, upto, Page, ct);
            foreach (var change in page.Changes)
            {
                (change.InCohort ? entered : exited).Accept(Identifier(change));
                upto = change.Seq;
                changes++;
            }
            if (page.Changes.Count < Page) break;
        }
        return new MemberChangeSet(entered.Build(), exited.Build(), upto, changes, entered.Missing + exited.Missing, entered.Invalid + exited.Invalid);
    }

    private ReadOnlySpan<char> Identifier(WebhookMemberChange change)
    {
        if (userProperty == IdentityRules.DefaultProperty) return change.UserId;
        if (change.UserProperties is null) return default;
        using var properties = JsonDocument.Parse(change.UserProperties);
        return properties.RootElement.ValueKind == JsonValueKind.Object && properties.RootElement.TryGetProperty(userProperty, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => default,
            }
            : default;
    }
}
