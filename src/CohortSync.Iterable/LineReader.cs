using System.Buffers;
using System.Text;

namespace CohortSync.Iterable;

/// <summary>
/// Reads a text/plain answer of one identifier a line in fixed-size pieces, handing each line over as a span: a list of
/// millions costs a buffer, not a string per member. Blank lines and a trailing carriage return are dropped.
/// </summary>
internal static class LineReader
{
    private const int BufferChars = 16 * 1024;

    public static async Task<long> ReadAsync(Stream stream, MemberLine member, CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
        var buffer = ArrayPool<char>.Shared.Rent(BufferChars);
        try
        {
            long lines = 0;
            var filled = 0;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    // A line longer than the buffer: grow it (identifiers are short; this is only for odd input).
                    var bigger = ArrayPool<char>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<char>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await reader.ReadAsync(buffer.AsMemory(filled), ct);
                if (read == 0) break;
                filled += read;
                var start = 0;
                for (var i = 0; i < filled; i++)
                {
                    if (buffer[i] != '\n') continue;
                    if (Emit(buffer.AsSpan(start, i - start), member)) lines++;
                    start = i + 1;
                }
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
            if (filled > 0 && Emit(buffer.AsSpan(0, filled), member)) lines++;
            return lines;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static bool Emit(ReadOnlySpan<char> line, MemberLine member)
    {
        if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
        if (line.Length == 0) return false;
        member(line);
        return true;
    }
}
