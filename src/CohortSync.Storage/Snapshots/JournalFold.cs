using CohortSync.Core.Members;

namespace CohortSync.Storage.Snapshots;

/// <summary>
/// Folds journal entries into one net change, so loading applies a single (added, removed) pair to the
/// base instead of rewriting the whole set once per entry.
/// </summary>
internal static class JournalFold
{
    /// <summary>
    /// The net change of applying the entries in order, each as <c>set = (set ∪ added) − removed</c>.
    /// Entries are combined pairwise in a balanced tree, so the work is O(total size × log entries).
    /// </summary>
    public static (MemberSet Added, MemberSet Removed) Net(IReadOnlyList<(MemberSet Added, MemberSet Removed)> entries)
    {
        if (entries.Count == 0) return (MemberSet.Empty, MemberSet.Empty);

        // Within one entry removal wins; dropping removed members from its adds keeps added ∩ removed empty,
        // which the composition below relies on.
        var level = entries.Select(x => (Added: x.Added.Apply(MemberSet.Empty, x.Removed), x.Removed)).ToList();
        while (level.Count > 1)
        {
            var next = new List<(MemberSet Added, MemberSet Removed)>((level.Count + 1) / 2);
            for (var i = 0; i + 1 < level.Count; i += 2) next.Add(Then(level[i], level[i + 1]));
            if (level.Count % 2 == 1) next.Add(level[^1]);
            level = next;
        }
        return level[0];
    }

    /// <summary>First <paramref name="first"/>, then <paramref name="second"/>: adds (A1 ∪ A2) − R2, removes (R1 − A2) ∪ R2.</summary>
    private static (MemberSet Added, MemberSet Removed) Then((MemberSet Added, MemberSet Removed) first, (MemberSet Added, MemberSet Removed) second) =>
        // With A2 ∩ R2 empty, (R1 ∪ R2) − A2 equals (R1 − A2) ∪ R2.
        (first.Added.Apply(second.Added, second.Removed), first.Removed.Apply(second.Removed, second.Added));
}
