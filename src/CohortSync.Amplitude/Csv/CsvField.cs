using System.Buffers;

namespace CohortSync.Amplitude;

/// <summary>RFC 4180 unescaping of one raw field as Sep hands it over (quotes still in place).</summary>
internal static class CsvField
{
    /// <summary>
    /// Unquotes <paramref name="raw"/>. A field without inner quotes is returned as a slice of the input;
    /// only a field with doubled quotes is copied, into <paramref name="scratch"/> (grown from the shared pool).
    /// Returns false for a stray quote in an unquoted field, an unclosed quote or an undoubled inner quote.
    /// </summary>
    public static bool TryUnescape(ReadOnlySpan<char> raw, ref char[] scratch, out ReadOnlySpan<char> value)
    {
        value = default;
        if (raw.IsEmpty || raw[0] != '"')
        {
            if (raw.Contains('"'))
            {
                return false;
            }

            value = raw;
            return true;
        }

        if (raw.Length < 2 || raw[^1] != '"')
        {
            return false;
        }

        var inner = raw[1..^1];
        if (!inner.Contains('"'))
        {
            value = inner;
            return true;
        }

        if (scratch.Length < inner.Length)
        {
            var larger = ArrayPool<char>.Shared.Rent(inner.Length);
            if (scratch.Length > 0)
            {
                ArrayPool<char>.Shared.Return(scratch);
            }

            scratch = larger;
        }

        var written = 0;
        for (var i = 0; i < inner.Length; i++)
        {
            var c = inner[i];
            if (c == '"')
            {
                if (i + 1 >= inner.Length || inner[i + 1] != '"')
                {
                    return false;
                }

                i++;
            }

            scratch[written++] = c;
        }

        value = scratch.AsSpan(0, written);
        return true;
    }
}
