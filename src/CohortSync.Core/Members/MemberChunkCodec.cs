using System.Buffers;
using System.IO.Compression;

namespace CohortSync.Core.Members;

/// <summary>
/// Compact encoding of a run of sorted members, as stored by the snapshot store.
/// The body is front-coded: a member count, then per member the length of the prefix it shares with
/// the previous member and the bytes that follow it (sorted identifiers share long prefixes).
/// A payload is one format byte, then either the body as is or its Brotli compression preceded by the
/// body's length.
/// </summary>
public static class MemberChunkCodec
{
    private const byte PlainFormat = 0;
    private const byte BrotliFormat = 1;

    // Quality 1 compresses at hundreds of MB/s and still takes a good share off front-coded identifiers.
    private const int BrotliQuality = 1;
    private const int BrotliWindow = 22;

    // Below this a body is stored as is: compressing it would save a few bytes and cost a call.
    private const int CompressionThreshold = 256;

    // Far above any real chunk or batch; a larger recorded length can only be damage.
    private const uint MaxBodyLength = 1u << 30;

    /// <summary>Appends the front-coded body of members [start, start + count) of <paramref name="members"/>.</summary>
    public static void WriteFrontCoded(MemberSet members, int start, int count, IBufferWriter<byte> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, members.Count);

        WriteVarint(output, (uint)count);
        ReadOnlySpan<byte> previous = default;
        for (var i = start; i < start + count; i++)
        {
            var current = members.GetUtf8(i);
            var shared = previous.CommonPrefixLength(current);
            var suffix = current[shared..];
            var span = output.GetSpan(10 + suffix.Length);
            var written = WriteVarint(span, (uint)shared);
            written += WriteVarint(span[written..], (uint)suffix.Length);
            suffix.CopyTo(span[written..]);
            output.Advance(written + suffix.Length);
            previous = current;
        }
    }

    /// <summary>Turns a front-coded body into a stored payload, compressed when it is worth it.</summary>
    public static byte[] Pack(ReadOnlySpan<byte> frontCoded)
    {
        if (frontCoded.Length >= CompressionThreshold)
        {
            var rented = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(frontCoded.Length) + 6);
            try
            {
                var header = 1 + WriteVarint(rented.AsSpan(1), (uint)frontCoded.Length);
                if (BrotliEncoder.TryCompress(frontCoded, rented.AsSpan(header), out var compressed, BrotliQuality, BrotliWindow)
                    && header + compressed < frontCoded.Length + 1)
                {
                    rented[0] = BrotliFormat;
                    return rented.AsSpan(0, header + compressed).ToArray();
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        var plain = new byte[frontCoded.Length + 1];
        plain[0] = PlainFormat;
        frontCoded.CopyTo(plain.AsSpan(1));
        return plain;
    }

    /// <summary>Encodes a whole set as one payload (e.g. one acknowledged batch).</summary>
    public static byte[] Encode(MemberSet members)
    {
        var body = new ArrayBufferWriter<byte>(Math.Max(16, (int)Math.Min(int.MaxValue / 2, members.SizeInBytes)));
        WriteFrontCoded(members, 0, members.Count, body);
        return Pack(body.WrittenSpan);
    }

    public static MemberSet Decode(ReadOnlySpan<byte> payload)
    {
        var writer = new MemberSetWriter(payload.Length * 2, 64);
        DecodeInto(payload, writer);
        return writer.Build();
    }

    /// <summary>
    /// Appends the payload's members to <paramref name="writer"/> and returns how many there were.
    /// The caller feeds payloads in member order (e.g. chunks by first member), so the writer stays sorted.
    /// </summary>
    public static int DecodeInto(ReadOnlySpan<byte> payload, MemberSetWriter writer)
    {
        if (payload.IsEmpty) throw new InvalidDataException("Empty member chunk payload.");
        switch (payload[0])
        {
            case PlainFormat:
                return DecodeBody(payload[1..], writer);
            case BrotliFormat:
                var header = 1 + ReadVarint(payload[1..], out var bodyLength);
                if (bodyLength > MaxBodyLength) throw new InvalidDataException("Corrupt member chunk: implausible body length.");
                var rented = ArrayPool<byte>.Shared.Rent((int)bodyLength);
                try
                {
                    if (!BrotliDecoder.TryDecompress(payload[header..], rented, out var written) || written != bodyLength)
                        throw new InvalidDataException("Corrupt member chunk: the compressed body does not inflate to its recorded length.");
                    return DecodeBody(rented.AsSpan(0, written), writer);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            default:
                throw new InvalidDataException($"Unknown member chunk format {payload[0]}.");
        }
    }

    private static int DecodeBody(ReadOnlySpan<byte> body, MemberSetWriter writer)
    {
        var position = ReadVarint(body, out var count);
        var scratch = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            var length = 0;
            for (var i = 0u; i < count; i++)
            {
                position += ReadVarint(body[position..], out var shared);
                position += ReadVarint(body[position..], out var suffixLength);
                if (shared > length || position + suffixLength > body.Length)
                    throw new InvalidDataException("Corrupt member chunk: a member points outside the chunk.");
                var newLength = (int)(shared + suffixLength);
                if (newLength > scratch.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(newLength);
                    scratch.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(scratch);
                    scratch = larger;
                }
                body.Slice(position, (int)suffixLength).CopyTo(scratch.AsSpan((int)shared));
                position += (int)suffixLength;
                length = newLength;
                writer.Append(scratch.AsSpan(0, length));
            }
            if (position != body.Length) throw new InvalidDataException("Corrupt member chunk: trailing bytes.");
            return (int)count;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static void WriteVarint(IBufferWriter<byte> output, uint value)
    {
        var span = output.GetSpan(5);
        output.Advance(WriteVarint(span, value));
    }

    private static int WriteVarint(Span<byte> span, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        return i;
    }

    private static int ReadVarint(ReadOnlySpan<byte> span, out uint value)
    {
        value = 0;
        for (var i = 0; i < 5; i++)
        {
            if (i >= span.Length) throw new InvalidDataException("Corrupt member chunk: truncated number.");
            var b = span[i];
            value |= (uint)(b & 0x7F) << (7 * i);
            if (b < 0x80) return i + 1;
        }
        throw new InvalidDataException("Corrupt member chunk: number too long.");
    }
}
