namespace CohortSync.Core.Members;

/// <summary>The change that turns <c>synced</c> into <c>desired</c>: adds = desired − synced, removes = synced − desired.</summary>
public sealed record MemberSetDiff(MemberSet Adds, MemberSet Removes)
{
    public bool IsEmpty => Adds.Count == 0 && Removes.Count == 0;

    public static MemberSetDiff Compute(MemberSet desired, MemberSet synced)
    {
        // A first run (or a list emptied): the difference is one whole set, not a copy of it.
        if (synced.Count == 0) return new MemberSetDiff(desired, MemberSet.Empty);
        if (desired.Count == 0) return new MemberSetDiff(MemberSet.Empty, synced);
        var adds = new MemberSetWriter();
        var removes = new MemberSetWriter();
        int d = 0, s = 0;
        while (d < desired.Count && s < synced.Count)
        {
            var c = desired.GetUtf8(d).SequenceCompareTo(synced.GetUtf8(s));
            if (c == 0) { d++; s++; }
            else if (c < 0) adds.Append(desired.GetUtf8(d++));
            else removes.Append(synced.GetUtf8(s++));
        }
        while (d < desired.Count) adds.Append(desired.GetUtf8(d++));
        while (s < synced.Count) removes.Append(synced.GetUtf8(s++));
        return new MemberSetDiff(adds.Build(), removes.Build());
    }
}
