using System.Buffers;
using System.Text;

namespace CohortSync.Sandbox.Amplitude;

/// <summary>
/// Writes RFC 4180 rows, every field quoted, into a pooled buffer that is flushed to the response as it fills,
/// so a two-million-row file never exists as one string.
/// </summary>
internal sealed class CsvStreamWriter(Stream output) : IDisposable
{
    private const int FlushThreshold = 60 * 1024;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private char[] _chars = ArrayPool<char>.Shared.Rent(256);
    private int _length;
    private bool _fieldWritten;

    public void Field(ReadOnlySpan<char> value)
    {
        // Worst case: every char a doubled quote of 3 UTF-8 bytes, plus separator and the two enclosing quotes.
        EnsureRoom(value.Length * 6 + 3);
        if (_fieldWritten)
        {
            _buffer[_length++] = (byte)',';
        }

        _fieldWritten = true;
        _buffer[_length++] = (byte)'"';
        while (!value.IsEmpty)
        {
            var quote = value.IndexOf('"');
            var run = quote < 0 ? value : value[..quote];
            _length += Encoding.UTF8.GetBytes(run, _buffer.AsSpan(_length));
            if (quote < 0)
            {
                break;
            }

            _buffer[_length++] = (byte)'"';
            _buffer[_length++] = (byte)'"';
            value = value[(quote + 1)..];
        }

        _buffer[_length++] = (byte)'"';
    }

    public void Field(long value)
    {
        value.TryFormat(_chars, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        Field(_chars.AsSpan(0, written));
    }

    /// <summary>A field made of a prefix and a number, e.g. <c>user-42</c>, without building a string.</summary>
    public void Field(string prefix, long number)
    {
        if (_chars.Length < prefix.Length + 20)
        {
            ArrayPool<char>.Shared.Return(_chars);
            _chars = ArrayPool<char>.Shared.Rent(prefix.Length + 20);
        }

        prefix.CopyTo(_chars);
        number.TryFormat(_chars.AsSpan(prefix.Length), out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        Field(_chars.AsSpan(0, prefix.Length + written));
    }

    /// <summary>A field of 16 lower-case hex digits.</summary>
    public void HexField(ulong value)
    {
        value.TryFormat(_chars, out var written, "x16", System.Globalization.CultureInfo.InvariantCulture);
        Field(_chars.AsSpan(0, written));
    }

    public ValueTask EndRowAsync(CancellationToken cancellationToken)
    {
        EnsureRoom(1);
        _buffer[_length++] = (byte)'\n';
        _fieldWritten = false;
        return _length >= FlushThreshold ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_length > 0)
        {
            await output.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
            _length = 0;
        }
    }

    /// <summary>Returns the buffers; whatever was not flushed is dropped (the caller flushes on success).</summary>
    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<char>.Shared.Return(_chars);
        _buffer = [];
        _chars = [];
    }

    private void EnsureRoom(int bytes)
    {
        if (_length + bytes <= _buffer.Length)
        {
            return;
        }

        // Only an unusually long field gets here; rows are flushed long before the buffer fills otherwise.
        var larger = ArrayPool<byte>.Shared.Rent(_length + bytes);
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
