using CohortSync.Core.Members;

namespace CohortSync.Core.Runs;

/// <summary>Splits members into request-sized batches: at most <c>maxMembers</c> each and well under Iterable's body limit.</summary>
public static class MemberBatches
{
    public const int DefaultMaxMembers = 1000;

    /// <summary>Iterable documents 4 MB per body for bulk endpoints; stay far below it.</summary>
    public const int DefaultMaxBytes = 1_000_000;

    // Per member in JSON: {"userId":"…"}, plus the escaping worst case is absorbed by the margin above.
    private const int JsonOverheadPerMember = 14;

    public static IEnumerable<string[]> Split(MemberSet members, int maxMembers = DefaultMaxMembers, int maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMembers, 1);
        var batch = new List<string>(Math.Min(maxMembers, members.Count));
        var bytes = 0;
        for (var i = 0; i < members.Count; i++)
        {
            var size = members.GetUtf8(i).Length + JsonOverheadPerMember;
            if (batch.Count > 0 && (batch.Count == maxMembers || bytes + size > maxBytes))
            {
                yield return [.. batch];
                batch.Clear();
                bytes = 0;
            }
            batch.Add(members[i]);
            bytes += size;
        }
        if (batch.Count > 0) yield return [.. batch];
    }

    public static int Count(int members, int maxMembers = DefaultMaxMembers) => (members + maxMembers - 1) / maxMembers;
}
