namespace CohortSync.Core.Members;

/// <summary>Appends members that arrive already in strictly increasing order; no sorting, no checks.</summary>
public sealed class MemberSetWriter(int arenaCapacity = 1024, int countCapacity = 64)
{
    private byte[] _arena = new byte[Math.Max(16, arenaCapacity)];
    private int[] _offsets = new int[Math.Max(2, countCapacity + 1)];
    private int _count;
    private int _length;

    public int Count => _count;

    public void Append(ReadOnlySpan<byte> utf8)
    {
        if (_length + utf8.Length > _arena.Length)
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _length + utf8.Length));
        if (_count + 2 > _offsets.Length)
            Array.Resize(ref _offsets, _offsets.Length * 2);
        utf8.CopyTo(_arena.AsSpan(_length));
        _length += utf8.Length;
        _offsets[++_count] = _length;
    }

    public MemberSet Build()
    {
        if (_count == 0) return MemberSet.Empty;
        return MemberSet.Adopt(_arena, _length, _offsets, _count);
    }
}
