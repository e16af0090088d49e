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
        var order = new int[_count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var arena = _arena;
        var starts = _starts;
        var lengths = _lengths;
        Array.Sort(order, (x, y) => arena.AsSpan(starts[x], lengths[x]).SequenceCompareTo(arena.AsSpan(starts[y], lengths[y])));

        var writer = new MemberSetWriter(_length, _count);
        ReadOnlySpan<byte> previous = default;
        var first = true;
        foreach (var i in order)
        {
            var span = arena.AsSpan(starts[i], lengths[i]);
            if (!first && span.SequenceEqual(previous)) continue;
            writer.Append(span);
            previous = span;
            first = false;
        }
        return writer.Build();
    }
}
