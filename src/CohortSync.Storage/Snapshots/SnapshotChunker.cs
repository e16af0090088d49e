using CohortSync.Core.Members;

namespace CohortSync.Storage.Snapshots;

/// <summary>
/// Splits a sorted member set into content-defined chunks: a chunk ends after a member whose hash
/// has its low bits all zero (once the chunk holds <see cref="MinMembers"/>), or at <see cref="MaxMembers"/>.
/// Boundaries depend on the members, not their positions, so adding or removing one member changes the
/// chunk it falls in and, rarely, its neighbour, never the rest.
/// </summary>
internal static class SnapshotChunker
{
    public const int MinMembers = 512;
    public const int MaxMembers = 8192;

    // One member in 2048 ends a chunk: about 2,500 members (~50 KB of identifiers) per chunk.
    private const ulong BoundaryMask = 2047;

    public static List<(int Start, int Count)> Split(MemberSet members)
    {
        var chunks = new List<(int, int)>(members.Count / 2048 + 1);
        var start = 0;
        for (var i = 0; i < members.Count; i++)
        {
            var length = i - start + 1;
            if (length >= MaxMembers || (length >= MinMembers && (Fnv1a(members.GetUtf8(i)) & BoundaryMask) == 0))
            {
                chunks.Add((start, length));
                start = i + 1;
            }
        }
        if (start < members.Count) chunks.Add((start, members.Count - start));
        return chunks;
    }

    /// <summary>64-bit FNV-1a, finished with a multiply-xorshift so the low bits depend on every byte.</summary>
    private static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash;
    }
}
