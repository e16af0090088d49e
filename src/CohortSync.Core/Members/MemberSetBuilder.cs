using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace CohortSync.Core.Members;

/// <summary>
/// Collects identifiers in any order (with duplicates) into a UTF-8 arena, then sorts and
/// de-duplicates them into a <see cref="MemberSet"/>.
/// </summary>
public sealed class MemberSetBuilder(int expectedCount = 1024, int expectedBytes = -1)
{
    private byte[] _arena = new byte[Math.Max(64, expectedBytes >= 0 ? expectedBytes : expectedCount * 16)];
    // Members sit in the arena in the order they came, one after another: member i is [_starts[i], _starts[i + 1]),
    // so one array gives both where a member starts and how long it is, and is the set's offsets when no sort is needed.
    private int[] _starts = new int[Math.Max(4, expectedCount + 1)];
    private int _count;
    private int _length;
    // True while every member added so far was greater than the one before (e.g. acknowledged batches of a
    // sorted diff): Build then hands its arrays over instead of sorting.
    private bool _ascending = true;

    public int Count => _count;

    public void Add(string member) => Add(member.AsSpan());

    public void Add(ReadOnlySpan<char> member)
    {
        // Grown only when the member does not fit, not for its worst case: an arena sized to the cohort's bytes stays it.
        if (!Encoding.UTF8.TryGetBytes(member, _arena.AsSpan(_length), out var written))
        {
            EnsureArena(Encoding.UTF8.GetMaxByteCount(member.Length));
            written = Encoding.UTF8.GetBytes(member, _arena.AsSpan(_length));
        }
        Push(written);
    }

    public void AddUtf8(ReadOnlySpan<byte> member)
    {
        EnsureArena(member.Length);
        member.CopyTo(_arena.AsSpan(_length));
        Push(member.Length);
    }

    private int Start(int member) => _starts[member];

    private int Length(int member) => _starts[member + 1] - _starts[member];

    private ReadOnlySpan<byte> Member(int member) => _arena.AsSpan(_starts[member], _starts[member + 1] - _starts[member]);

    private void Push(int written)
    {
        if (_count + 2 > _starts.Length) Array.Resize(ref _starts, _starts.Length * 2);
        if (_ascending && _count > 0)
            _ascending = Member(_count - 1).SequenceCompareTo(_arena.AsSpan(_length, written)) < 0;
        _starts[_count] = _length;
        _count++;
        _length += written;
        _starts[_count] = _length;
    }

    private void EnsureArena(int extra)
    {
        if (_length + extra > _arena.Length)
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _length + extra));
    }

    /// <summary>The set; when the members came in order, the builder's own arrays become the set's (no copy).</summary>
    public MemberSet Build()
    {
        if (_count == 0) return MemberSet.Empty;
        // Members added after this land beyond what the set reads (or in new arrays), so the set stays as built.
        if (_ascending) return MemberSet.Adopt(_arena, _length, _starts, _count);
        // The sort's arrays are rented: a big run needs them for a moment, and the next big run again.
        var order = ArrayPool<int>.Shared.Rent(_count);
        var keys = ArrayPool<ulong>.Shared.Rent(_count);
        try
        {
            var depth = CommonPrefixLength();
            for (var i = 0; i < _count; i++)
            {
                order[i] = i;
                keys[i] = Key(i, depth);
            }
            SortByKeys(keys, order, 0, _count, depth);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keys);
        }

        try
        {
            var writer = new MemberSetWriter(_length, _count);
            ReadOnlySpan<byte> previous = default;
            for (var k = 0; k < _count; k++)
            {
                var span = Member(order[k]);
                if (k > 0 && span.SequenceEqual(previous)) continue;
                writer.Append(span);
                previous = span;
            }
            return writer.Build();
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
        }
    }

    // Sorting works on 8-byte big-endian keys (the member's bytes from `depth`, zero-padded), so the bulk of the
    // work is Array.Sort on primitives with no comparison delegate; members whose keys tie are sorted again on
    // their next 8 bytes. Starting past the prefix every member shares (e.g. "user-") keeps the ties few.
    private void SortByKeys(ulong[] keys, int[] order, int start, int length, int depth)
    {
        Array.Sort(keys, order, start, length);
        var end = start + length;
        for (var i = start; i < end;)
        {
            var j = i + 1;
            while (j < end && keys[j] == keys[i]) j++;
            if (j - i > 1) SortTies(keys, order, i, j, depth);
            i = j;
        }
    }

    /// <summary>Orders members [start, end) whose bytes [0, depth + 8), zero-padded, are all equal.</summary>
    private void SortTies(ulong[] keys, int[] order, int start, int end, int depth)
    {
        var next = depth + 8;
        // A member that ends within these bytes is a prefix of every longer one here: those go first, shortest first.
        var ended = start;
        for (var k = start; k < end; k++)
        {
            if (Length(order[k]) > next) continue;
            (order[ended], order[k]) = (order[k], order[ended]);
            ended++;
        }
        if (ended - start > 1)
        {
            for (var k = start; k < ended; k++) keys[k] = (ulong)Length(order[k]);
            Array.Sort(keys, order, start, ended - start);
        }
        if (end - ended > 1)
        {
            for (var k = ended; k < end; k++) keys[k] = Key(order[k], next);
            SortByKeys(keys, order, ended, end - ended, next);
        }
    }

    private ulong Key(int member, int depth)
    {
        var length = Length(member);
        var remaining = length - depth;
        var from = _arena.AsSpan(Start(member) + Math.Min(depth, length));
        if (remaining >= sizeof(ulong)) return BinaryPrimitives.ReadUInt64BigEndian(from);
        if (remaining <= 0) return 0;
        Span<byte> padded = stackalloc byte[sizeof(ulong)];
        padded.Clear();
        from[..remaining].CopyTo(padded);
        return BinaryPrimitives.ReadUInt64BigEndian(padded);
    }

    private int CommonPrefixLength()
    {
        var first = Member(0);
        var shared = first.Length;
        for (var i = 1; i < _count && shared > 0; i++)
            shared = first[..shared].CommonPrefixLength(Member(i));
        return shared;
    }
}
