using System.Globalization;
using System.Text.Json;

namespace CohortSync.Sandbox.Amplitude;

/// <summary>
/// One enter or exit batch in Amplitude's default webhook shape (apis.md §2.2): <c>{cohort_name, cohort_id,
/// in_cohort (bool), computed_time (epoch seconds as a string), message_id ("&lt;uuid&gt;::enter::0"),
/// users:[{user_id, user_properties}]}</c>.
/// </summary>
internal sealed record AmplitudeWebhookBatch(
    string CohortId, string CohortName, bool InCohort, long ComputedTime, string MessageId, IReadOnlyList<AmplitudeWebhookUser> Users)
{
    /// <summary>Amplitude forwards at most this many user properties per member.</summary>
    public const int MaxUserProperties = 50;

    public string ComputedTimeText => ComputedTime.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The batches of one change in sending order: enters then exits (exits first when <paramref name="reverse"/>),
    /// each side cut into batches of <paramref name="batchSize"/>, numbered from 0 per side.
    /// </summary>
    public static IReadOnlyList<AmplitudeWebhookBatch> Plan(
        string cohortId, string cohortName, IReadOnlyList<AmplitudeWebhookUser> entered, IReadOnlyList<AmplitudeWebhookUser> exited,
        long computedTime, string messageIdPrefix, int batchSize, bool reverse)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        IEnumerable<AmplitudeWebhookBatch> Side(IReadOnlyList<AmplitudeWebhookUser> users, bool inCohort) =>
            users.Chunk(batchSize).Select((chunk, index) => new AmplitudeWebhookBatch(
                cohortId, cohortName, inCohort, computedTime,
                $"{messageIdPrefix}::{(inCohort ? "enter" : "exit")}::{index.ToString(CultureInfo.InvariantCulture)}", chunk));

        var enters = Side(entered, inCohort: true);
        var exits = Side(exited, inCohort: false);
        return (reverse ? exits.Concat(enters) : enters.Concat(exits)).ToArray();
    }

    /// <summary>
    /// Who entered and who left between two explicit member lists, matched by amplitude_id (Amplitude's own key).
    /// An exit carries the member as it was; an enter as it is now.
    /// </summary>
    public static (IReadOnlyList<AmplitudeWebhookUser> Entered, IReadOnlyList<AmplitudeWebhookUser> Exited) Changes(
        IReadOnlyList<AmplitudeMember> before, IReadOnlyList<AmplitudeMember> after)
    {
        var beforeIds = before.Select(m => m.AmplitudeId).ToHashSet();
        var afterIds = after.Select(m => m.AmplitudeId).ToHashSet();
        return (
            after.Where(m => !beforeIds.Contains(m.AmplitudeId)).DistinctBy(m => m.AmplitudeId).Select(UserOf).ToArray(),
            before.Where(m => !afterIds.Contains(m.AmplitudeId)).DistinctBy(m => m.AmplitudeId).Select(UserOf).ToArray());
    }

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("cohort_name", CohortName);
            json.WriteString("cohort_id", CohortId);
            json.WriteBoolean("in_cohort", InCohort);
            json.WriteString("computed_time", ComputedTimeText);
            json.WriteString("message_id", MessageId);
            json.WriteStartArray("users");
            foreach (var user in Users)
            {
                json.WriteStartObject();
                json.WriteString("user_id", user.UserId);
                if (user.Properties is { Count: > 0 } properties)
                {
                    json.WriteStartObject("user_properties");
                    foreach (var (key, value) in properties.OrderBy(p => p.Key, StringComparer.Ordinal).Take(MaxUserProperties))
                    {
                        json.WriteString(key, value);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static AmplitudeWebhookUser UserOf(AmplitudeMember member) => new(member.UserId, member.Properties);
}
