namespace CohortSync.Amplitude;

/// <summary>
/// The downloaded cohort file as a read-only stream that owns its HTTP response, and reports a connection lost
/// (or a gzip body cut short) mid-file as <see cref="AmplitudeTransientException"/>, so a caller can tell
/// "try again later" from a file that is really malformed.
/// </summary>
internal sealed class AmplitudeFileStream(HttpResponseMessage response, Stream content) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return content.Read(buffer);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            throw Lost(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            throw Lost(e);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            content.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }

    // InvalidDataException comes from the gzip decoder: a compressed body that stops or garbles mid-way.
    private static bool IsTransportFailure(Exception e) => e is IOException or HttpRequestException or InvalidDataException;

    private static AmplitudeTransientException Lost(Exception e) =>
        new(e is InvalidDataException ? "the compressed cohort file was cut short or corrupted" : "connection lost while downloading the cohort file", e);
}
