using System.Buffers;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using CohortSync.Core.Members;

namespace CohortSync.Benchmarks;

/// <summary>
/// A 2 M-member synced set cut into snapshot chunks of ~2,500 members (the store's average):
/// encode = front-code + hash + Brotli per chunk, as a full compaction does; decode = a full load.
/// </summary>
[MemoryDiagnoser]
public class SnapshotCodecBenchmarks
{
    private const int ChunkMembers = 2500;

    private MemberSet _set = MemberSet.Empty;
    private byte[][] _chunks = [];

    [GlobalSetup]
    public void Setup()
    {
        _set = Cohorts.Set(Cohorts.Ids(IdShape.Sequential));
        _chunks = EncodeAll();
    }

    [Benchmark(Description = "encode 2M (front-code, SHA-256, Brotli)")]
    public byte[][] Encode() => EncodeAll();

    [Benchmark(Description = "hash only 2M (unchanged-chunk check)")]
    public int HashOnly()
    {
        var body = new ArrayBufferWriter<byte>(128 * 1024);
        var total = 0;
        for (var start = 0; start < _set.Count; start += ChunkMembers)
        {
            body.ResetWrittenCount();
            MemberChunkCodec.WriteFrontCoded(_set, start, Math.Min(ChunkMembers, _set.Count - start), body);
            total += SHA256.HashData(body.WrittenSpan)[0];
        }
        return total;
    }

    [Benchmark(Description = "decode 2M")]
    public MemberSet Decode()
    {
        var writer = new MemberSetWriter((int)_set.SizeInBytes, _set.Count);
        foreach (var chunk in _chunks) MemberChunkCodec.DecodeInto(chunk, writer);
        return writer.Build();
    }

    private byte[][] EncodeAll()
    {
        var chunks = new List<byte[]>(_set.Count / ChunkMembers + 1);
        var body = new ArrayBufferWriter<byte>(128 * 1024);
        for (var start = 0; start < _set.Count; start += ChunkMembers)
        {
            body.ResetWrittenCount();
            MemberChunkCodec.WriteFrontCoded(_set, start, Math.Min(ChunkMembers, _set.Count - start), body);
            _ = SHA256.HashData(body.WrittenSpan);
            chunks.Add(MemberChunkCodec.Pack(body.WrittenSpan));
        }
        return [.. chunks];
    }
}
