using System.Text;

namespace CohortSync.Client.Input;

/// <summary>
/// Reads a member file for <c>sync upload</c>, streaming: a CSV whose header names the identity column, or one
/// identifier per line (with or without that name as its first line). Blank lines are skipped; fields may be quoted
/// as in RFC 4180 (no line breaks inside a field). Bad UTF-8, a header without the column, or a row without the field
/// throws <see cref="MemberFileException"/> with the line number.
/// </summary>
public sealed class MemberFile(Func<string?> readLine, string column)
{
    public MemberFile(TextReader reader, string column) : this(reader.ReadLine, column)
    {
    }

    public long Lines { get; private set; }

    public IEnumerable<string> Identifiers()
    {
        var first = Next();
        while (first is not null && first.Trim().Length == 0) first = Next();
        if (first is null) yield break;

        var header = Split(first);
        var index = header.FindIndex(h => string.Equals(h.Trim(), column, StringComparison.OrdinalIgnoreCase));
        if (header.Count > 1 && index < 0)
        {
            throw new MemberFileException(
                $"the file's header (line {Lines}) has no column '{column}' (it has: {string.Join(", ", header.Take(10))}); name the identity column with --column");
        }
        if (index < 0)
        {
            // One identifier per line, the first one included.
            index = 0;
            yield return Field(header, 0);
        }
        for (var line = Next(); line is not null; line = Next())
        {
            if (line.Trim().Length == 0) continue;
            var fields = header.Count > 1 ? Split(line) : [line];
            if (fields.Count <= index) throw new MemberFileException($"line {Lines} has no field '{column}' (it has {fields.Count} fields, the header {header.Count})");
            var id = Field(fields, index);
            if (id.Length > 0) yield return id;
        }
    }

    private string? Next()
    {
        try
        {
            var line = readLine();
            if (line is not null) Lines++;
            return line;
        }
        catch (DecoderFallbackException)
        {
            throw new MemberFileException($"line {Lines + 1} is not valid UTF-8; save the file as UTF-8 and upload it again");
        }
    }

    private static string Field(List<string> fields, int index) => fields[index].Trim();

    /// <summary>Splits one CSV line: commas separate fields, a quoted field may hold commas and doubled quotes.</summary>
    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else quoted = false;
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }
}

public sealed class MemberFileException(string message) : Exception(message);

/// <summary>
/// Lines of a UTF-8 stream, each decoded on its own with a decoder that refuses invalid bytes, so a bad byte is
/// reported on its own line (a text reader decodes a whole buffer ahead). A UTF-8 byte order mark is skipped.
/// </summary>
public sealed class Utf8Lines(Stream stream) : IDisposable
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly MemoryStream _line = new();
    private int _start;
    private int _end;
    private bool _first = true;

    public string? ReadLine()
    {
        _line.SetLength(0);
        while (true)
        {
            if (_start == _end)
            {
                (_start, _end) = (0, stream.Read(_buffer, 0, _buffer.Length));
                if (_end == 0) return _line.Length > 0 ? Decode() : null;
            }
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline < 0)
            {
                _line.Write(_buffer, _start, _end - _start);
                _start = _end;
                continue;
            }
            _line.Write(_buffer, _start, newline - _start);
            _start = newline + 1;
            return Decode();
        }
    }

    private string Decode()
    {
        var bytes = _line.GetBuffer().AsSpan(0, (int)_line.Length);
        if (_first && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        _first = false;
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        return Strict.GetString(bytes);
    }

    public void Dispose() => stream.Dispose();
}
