using System.Buffers.Binary;
using System.Text;

namespace CohortSync.Core.Members;

/// <summary>
/// Collects identifiers in any order (with duplicates) into a UTF-8 arena, then sorts and
/// de-duplicates them into a <see cref="MemberSet"/>.
/// </summary>
public sealed class MemberSetBuilder(int expectedCount = 1024)
{
    private byte[] _arena = new byte[Math.Max(64, expectedCount * 16)];
    private int[] _starts = new int[Math.Max(4, expectedCount)];
    private int[] _lengths = new int[Math.Max(4, expectedCount)];
    private int _count;
    private int _length;
    // True while every member added so far was greater than the one before (e.g. acknowledged batches of a
    // sorted diff): Build then copies instead of sorting.
    private bool _ascending = true;

    public int Count => _count;

    public void Add(string member) => Add(member.AsSpan());

    public void Add(ReadOnlySpan<char> member)
    {
        var max = Encoding.UTF8.GetMaxByteCount(member.Length);
        EnsureArena(max);
        var written = Encoding.UTF8.GetBytes(member, _arena.AsSpan(_length));
        Push(written);
    }

    public void AddUtf8(ReadOnlySpan<byte> member)
    {
        EnsureArena(member.Length);
        member.CopyTo(_arena.AsSpan(_length));
        Push(member.Length);
    }

    private void Push(int written)
    {
        if (_count == _starts.Length)
        {
            Array.Resize(ref _starts, _starts.Length * 2);
            Array.Resize(ref _lengths, _lengths.Length * 2);
        }
        if (_ascending && _count > 0)
        {
            var last = _arena.AsSpan(_starts[_count - 1], _lengths[_count - 1]);
            _ascending = last.SequenceCompareTo(_arena.AsSpan(_length, written)) < 0;
        }
        _starts[_count] = _length;
        _lengths[_count] = written;
        _count++;
        _length += written;
    }

    private void EnsureArena(int extra)
    {
        if (_length + extra > _arena.Length)
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _length + extra));
    }

    public MemberSet Build()
    {
        if (_count == 0) return MemberSet.Empty;
        if (_ascending)
        {
            var offsets = new int[_count + 1];
            for (var i = 0; i < _count; i++) offsets[i + 1] = _starts[i] + _lengths[i];
            return new MemberSet(_arena.AsSpan(0, _length).ToArray(), offsets);
        }
        var order = new int[_count];
        var keys = new ulong[_count];
        var depth = CommonPrefixLength();
        for (var i = 0; i < _count; i++)
        {
            order[i] = i;
            keys[i] = Key(i, depth);
        }
        SortByKeys(keys, order, 0, _count, depth);

        var writer = new MemberSetWriter(_length, _count);
        ReadOnlySpan<byte> previous = default;
        var first = true;
        foreach (var i in order)
        {
            var span = _arena.AsSpan(_starts[i], _lengths[i]);
            if (!first && span.SequenceEqual(previous)) continue;
            writer.Append(span);
            previous = span;
            first = false;
        }
        return writer.Build();
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
            if (_lengths[order[k]] > next) continue;
            (order[ended], order[k]) = (order[k], order[ended]);
            ended++;
        }
        if (ended - start > 1)
        {
            for (var k = start; k < ended; k++) keys[k] = (ulong)_lengths[order[k]];
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
        var remaining = _lengths[member] - depth;
        var from = _arena.AsSpan(_starts[member] + Math.Min(depth, _lengths[member]));
        if (remaining >= sizeof(ulong)) return BinaryPrimitives.ReadUInt64BigEndian(from);
        if (remaining <= 0) return 0;
        Span<byte> padded = stackalloc byte[sizeof(ulong)];
        padded.Clear();
        from[..remaining].CopyTo(padded);
        return BinaryPrimitives.ReadUInt64BigEndian(padded);
    }

    private int CommonPrefixLength()
    {
        var first = _arena.AsSpan(_starts[0], _lengths[0]);
        var shared = first.Length;
        for (var i = 1; i < _count && shared > 0; i++)
            shared = first[..shared].CommonPrefixLength(_arena.AsSpan(_starts[i], _lengths[i]));
        return shared;
    }
}
