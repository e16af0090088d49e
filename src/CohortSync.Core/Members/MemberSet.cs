using System.Collections;
using System.Text;

namespace CohortSync.Core.Members;

/// <summary>
/// An immutable, sorted (ordinal on UTF-8 bytes), duplicate-free set of member identifiers.
/// All identifiers live in one UTF-8 arena with an offset table, so a 2-million-member set is
/// two arrays rather than two million strings, and diffing is a sequential merge.
/// </summary>
public sealed class MemberSet : IReadOnlyList<string>
{
    public static MemberSet Empty { get; } = new([], [0]);

    /// <summary>A builder or writer hands its arrays over (no copy of a cohort-sized set) when at most this share is unused.</summary>
    internal const int HandOverSlackDivisor = 8;

    private readonly byte[] _arena;
    private readonly int[] _offsets; // at least Count + 1 entries; member i is _arena[_offsets[i].._offsets[i + 1]]
    private readonly int _count;

    internal MemberSet(byte[] arena, int[] offsets) : this(arena, offsets, offsets.Length - 1)
    {
    }

    /// <summary>Takes the arrays as they are: they may be longer than the <paramref name="count"/> members need.</summary>
    internal MemberSet(byte[] arena, int[] offsets, int count)
    {
        _arena = arena;
        _offsets = offsets;
        _count = count;
    }

    public int Count => _count;

    /// <summary>Bytes of the identifiers themselves (UTF-8).</summary>
    public int Utf8Bytes => _offsets[_count];

    /// <summary>Bytes used by the identifiers themselves plus the offset table.</summary>
    public long SizeInBytes => Utf8Bytes + (long)(_count + 1) * sizeof(int);

    /// <summary>
    /// Hands <paramref name="arena"/> (<paramref name="length"/> bytes used) and <paramref name="offsets"/> over as a set
    /// when little of them is unused, else trims copies: a cohort-sized set is not copied just to drop a few spare bytes.
    /// </summary>
    internal static MemberSet Adopt(byte[] arena, int length, int[] offsets, int count)
    {
        if (arena.Length - length > arena.Length / HandOverSlackDivisor) arena = arena.AsSpan(0, length).ToArray();
        if (offsets.Length - (count + 1) > offsets.Length / HandOverSlackDivisor) offsets = offsets.AsSpan(0, count + 1).ToArray();
        return new MemberSet(arena, offsets, count);
    }

    public ReadOnlySpan<byte> GetUtf8(int index) => _arena.AsSpan(_offsets[index], _offsets[index + 1] - _offsets[index]);

    public string this[int index] => Encoding.UTF8.GetString(GetUtf8(index));

    public bool Contains(string member) => IndexOf(Encoding.UTF8.GetBytes(member)) >= 0;

    /// <summary>Binary search; returns the index or the bitwise complement of the insertion point.</summary>
    public int IndexOf(ReadOnlySpan<byte> utf8)
    {
        int lo = 0, hi = Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = GetUtf8(mid).SequenceCompareTo(utf8);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return ~lo;
    }

    public static MemberSet From(IEnumerable<string> members)
    {
        var builder = new MemberSetBuilder();
        foreach (var m in members) builder.Add(m);
        return builder.Build();
    }

    /// <summary>Builds a set from members that are already sorted and distinct (e.g. decoded from a snapshot).</summary>
    public static MemberSet FromSorted(byte[] arena, int[] offsets)
    {
        for (var i = 1; i < offsets.Length - 1; i++)
        {
            var prev = arena.AsSpan(offsets[i - 1], offsets[i] - offsets[i - 1]);
            var cur = arena.AsSpan(offsets[i], offsets[i + 1] - offsets[i]);
            if (prev.SequenceCompareTo(cur) >= 0)
                throw new ArgumentException("Members are not strictly sorted.", nameof(offsets));
        }
        return new MemberSet(arena, offsets);
    }

    /// <summary>This set with <paramref name="added"/> included and <paramref name="removed"/> excluded.</summary>
    public MemberSet Apply(MemberSet added, MemberSet removed)
    {
        if (added.Count == 0 && removed.Count == 0) return this;
        // A first run: the synced set is what was acknowledged, with no second copy of it.
        if (Count == 0 && removed.Count == 0) return added;
        var writer = new MemberSetWriter(Utf8Bytes + added.Utf8Bytes, Count + added.Count);
        int i = 0, a = 0, r = 0;
        while (i < Count || a < added.Count)
        {
            ReadOnlySpan<byte> next;
            if (a >= added.Count) next = GetUtf8(i++);
            else if (i >= Count) next = added.GetUtf8(a++);
            else
            {
                var c = GetUtf8(i).SequenceCompareTo(added.GetUtf8(a));
                if (c < 0) next = GetUtf8(i++);
                else if (c > 0) next = added.GetUtf8(a++);
                else { next = GetUtf8(i++); a++; }
            }
            while (r < removed.Count && removed.GetUtf8(r).SequenceCompareTo(next) < 0) r++;
            if (r < removed.Count && removed.GetUtf8(r).SequenceEqual(next)) continue;
            writer.Append(next);
        }
        return writer.Build();
    }

    public IEnumerator<string> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
