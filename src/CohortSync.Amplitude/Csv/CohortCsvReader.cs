using System.Buffers;
using nietras.SeparatedValues;

namespace CohortSync.Amplitude;

/// <summary>
/// Streams an Amplitude cohort file (RFC 4180 CSV with a header row, e.g. <c>"amplitude_id","user_id"</c>)
/// and hands the identity column of each row to an <see cref="IMemberSink"/>.
/// </summary>
/// <remarks>
/// The file is never held in memory: Sep reads it through a small buffer and the identity is passed as a span
/// over that buffer, so a row costs no allocation unless the sink makes one. Rows that do not fit the header are
/// counted and skipped; a file without a usable header, or one that ends inside a quoted field, is rejected whole
/// so a run never acts on half a cohort.
/// </remarks>
public static class CohortCsvReader
{
    private const int MaxMalformedSamples = 10;

    public static async Task<CohortReadResult> ReadAsync(
        Stream csv, string identityColumn, IMemberSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentException.ThrowIfNullOrEmpty(identityColumn);
        ArgumentNullException.ThrowIfNull(sink);

        using var reader = await OpenAsync(csv, cancellationToken).ConfigureAwait(false);
        var (identityIndex, fieldCount) = FindIdentityColumn(reader.Header, identityColumn);
        using var tally = new RowTally(identityIndex, fieldCount, sink);
        while (await reader.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            tally.Take(reader.Current);
        }

        return tally.ToResult();
    }

    private static async Task<SepReader> OpenAsync(Stream csv, CancellationToken cancellationToken)
    {
        // Column counts are checked here, per row, so one bad row is skipped instead of failing the whole file.
        // Unescaping is done here too, for the identity column only, and strictly (Sep's own is lenient).
        var options = Sep.New(',').Reader(o => o with { HasHeader = true, DisableColCountCheck = true });
        try
        {
            return await options.FromAsync(csv, leaveOpen: true, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            // Sep refuses a header that names the same column twice.
            throw new CohortFileFormatException($"The cohort file's header row is not usable: {Truncate(e.Message, 200)}");
        }
    }

    private static (int IdentityIndex, int FieldCount) FindIdentityColumn(SepReaderHeader header, string identityColumn)
    {
        var rawNames = header.ColNames;
        if (header.IsEmpty || rawNames.Count == 0 || (rawNames.Count == 1 && rawNames[0].Length == 0))
        {
            throw new CohortFileFormatException("The cohort file is empty: it has no header row.");
        }

        var names = new string[rawNames.Count];
        var scratch = Array.Empty<char>();
        for (var i = 0; i < rawNames.Count; i++)
        {
            if (rawNames[i].AsSpan().ContainsAny(NotText))
            {
                throw new CohortFileFormatException(
                    "The cohort file is not CSV text: its first line holds control or undecodable characters.");
            }

            if (!CsvField.TryUnescape(rawNames[i], ref scratch, out var name))
            {
                throw new CohortFileFormatException(
                    $"The cohort file's header row is not valid CSV: bad quoting in column {i + 1}.");
            }

            names[i] = name.ToString();
        }

        var index = Array.IndexOf(names, identityColumn);
        if (index < 0)
        {
            var shown = string.Join(", ", names.Take(12).Select(n => $"'{Truncate(n, 40)}'"));
            var more = names.Length > 12 ? $" and {names.Length - 12} more" : "";
            throw new CohortFileFormatException(
                $"The cohort file has no column '{identityColumn}'. Its columns are {shown}{more}.");
        }

        return (index, names.Length);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    // Control characters (tab aside) and U+FFFD (what invalid UTF-8 decodes to) never appear in a real header.
    private static readonly SearchValues<char> NotText = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\uFFFD");

    /// <summary>Per-row work, kept synchronous so the ref-struct row never crosses an await.</summary>
    private sealed class RowTally(int identityIndex, int fieldCount, IMemberSink sink) : IDisposable
    {
        private readonly Dictionary<MalformedRowReason, long> _malformedByReason = [];
        private readonly List<MalformedRow> _malformedSamples = [];
        private char[] _scratch = ArrayPool<char>.Shared.Rent(256);
        private long _rows;
        private long _members;
        private long _emptyIdentities;
        private long _malformed;

        public void Take(SepReader.Row row)
        {
            var text = row.Span;
            if (text.IsEmpty)
            {
                return; // a blank line carries no member
            }

            // Sep only ends a row outside quotes, so a row with an odd number of quotes ran into the end of the
            // file inside a quoted field: the rest of the file was swallowed and cannot be trusted.
            if ((text.Count('"') & 1) != 0)
            {
                throw new CohortFileFormatException(
                    $"The cohort file ends inside a quoted field that starts on line {row.LineNumberFrom}.");
            }

            _rows++;
            if (row.ColCount != fieldCount)
            {
                Malformed(row.LineNumberFrom, MalformedRowReason.WrongFieldCount,
                    $"expected {fieldCount} fields, found {row.ColCount}");
                return;
            }

            if (!CsvField.TryUnescape(row[identityIndex].Span, ref _scratch, out var identity))
            {
                Malformed(row.LineNumberFrom, MalformedRowReason.BadQuoting, "identity field is not quoted correctly");
                return;
            }

            if (identity.IsEmpty)
            {
                _emptyIdentities++;
                return;
            }

            _members++;
            sink.Accept(identity);
        }

        public CohortReadResult ToResult() =>
            new(_rows, _members, _emptyIdentities, _malformed,
                new Dictionary<MalformedRowReason, long>(_malformedByReason), _malformedSamples.ToArray());

        public void Dispose()
        {
            ArrayPool<char>.Shared.Return(_scratch);
            _scratch = [];
        }

        private void Malformed(int lineNumber, MalformedRowReason reason, string detail)
        {
            _malformed++;
            _malformedByReason[reason] = _malformedByReason.GetValueOrDefault(reason) + 1;
            if (_malformedSamples.Count < MaxMalformedSamples)
            {
                _malformedSamples.Add(new MalformedRow(lineNumber, reason, detail));
            }
        }
    }
}
