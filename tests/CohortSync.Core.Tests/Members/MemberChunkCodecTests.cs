using System.Buffers;
using CohortSync.Core.Members;

namespace CohortSync.Core.Tests.Members;

public sealed class MemberChunkCodecTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]      // below the compression threshold: stored plain
    [InlineData(5000)]   // compressed
    public void A_set_decodes_to_what_was_encoded(int count)
    {
        var set = MemberSet.From(Samples.Users(0, count));

        var decoded = MemberChunkCodec.Decode(MemberChunkCodec.Encode(set));

        Assert.Equal(set, decoded);
    }

    [Fact]
    public void Large_sets_of_similar_identifiers_are_compressed_well_below_their_size()
    {
        var set = MemberSet.From(Samples.Users(0, 20_000));

        var payload = MemberChunkCodec.Encode(set);

        Assert.True(payload.Length < set.SizeInBytes / 4, $"{payload.Length} bytes for {set.SizeInBytes}");
    }

    [Fact]
    public void Awkward_identifiers_survive_front_coding()
    {
        var set = MemberSet.From(Samples.Awkward(new Random(5), 3000).Append("\U0001F600").Append("é"));

        Assert.Equal(set, MemberChunkCodec.Decode(MemberChunkCodec.Encode(set)));
    }

    [Fact]
    public void A_range_of_a_set_encodes_just_that_range()
    {
        var set = MemberSet.From(Samples.Users(0, 100));
        var body = new ArrayBufferWriter<byte>();
        MemberChunkCodec.WriteFrontCoded(set, 10, 20, body);

        var decoded = MemberChunkCodec.Decode(MemberChunkCodec.Pack(body.WrittenSpan));

        Assert.Equal(set.Skip(10).Take(20), decoded);
    }

    [Fact]
    public void Consecutive_payloads_decode_into_one_writer_in_order()
    {
        var set = MemberSet.From(Samples.Users(0, 1000));
        var writer = new MemberSetWriter();
        var body = new ArrayBufferWriter<byte>();
        var total = 0;
        for (var start = 0; start < set.Count; start += 300)
        {
            body.ResetWrittenCount();
            var count = Math.Min(300, set.Count - start);
            MemberChunkCodec.WriteFrontCoded(set, start, count, body);
            total += MemberChunkCodec.DecodeInto(MemberChunkCodec.Pack(body.WrittenSpan), writer);
        }

        Assert.Equal(set.Count, total);
        Assert.Equal(set, writer.Build());
    }

    [Fact]
    public void Encoding_a_range_past_the_end_is_refused()
    {
        var set = MemberSet.From(["a", "b"]);

        Assert.Throws<ArgumentOutOfRangeException>(() => MemberChunkCodec.WriteFrontCoded(set, 1, 2, new ArrayBufferWriter<byte>()));
    }

    public static TheoryData<string, byte[]> Damaged => new()
    {
        { "empty", [] },
        { "unknown format", [9, 0] },
        { "truncated count", [0, 0x80] },
        { "shared prefix longer than the previous member", [0, 1, 3, 1, (byte)'a'] },
        { "suffix past the end", [0, 1, 0, 5, (byte)'a'] },
        { "trailing bytes", [0, 1, 0, 1, (byte)'a', 7] },
        { "compressed body that is not Brotli", [1, 10, 1, 2, 3, 4] },
        { "implausible body length", [1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1] },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public void A_damaged_payload_is_reported_not_misread(string damage, byte[] payload)
    {
        var error = Assert.Throws<InvalidDataException>(() => MemberChunkCodec.Decode(payload));
        Assert.False(string.IsNullOrEmpty(error.Message), damage);
    }
}
