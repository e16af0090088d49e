using System.Text;
using CohortSync.Amplitude;

namespace CohortSync.Amplitude.Tests;

public sealed class CohortCsvReaderTests
{
    private static Stream Csv(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    private static async Task<(CohortReadResult Result, List<string> Identities)> ReadAsync(string text, string column = "user_id")
    {
        var sink = new CollectingSink();
        var result = await CohortCsvReader.ReadAsync(Csv(text), column, sink, CancellationToken.None);
        return (result, sink.Identities);
    }

    [Fact]
    public async Task Reads_user_ids_from_amplitudes_quoted_format()
    {
        var (result, ids) = await ReadAsync("\"amplitude_id\",\"user_id\"\n\"101\",\"alice\"\n\"102\",\"bob\"\n");

        Assert.Equal(["alice", "bob"], ids);
        Assert.Equal(2, result.Rows);
        Assert.Equal(2, result.Members);
        Assert.Equal(0, result.MalformedRows);
    }

    [Fact]
    public async Task Unescapes_commas_doubled_quotes_and_line_breaks_inside_quoted_fields()
    {
        var (result, ids) = await ReadAsync(
            "\"amplitude_id\",\"user_id\"\r\n\"1\",\"a,b\"\r\n\"2\",\"say \"\"hi\"\"\"\r\n\"3\",\"two\r\nlines\"\r\n\"4\",plain\r\n");

        Assert.Equal(["a,b", "say \"hi\"", "two\r\nlines", "plain"], ids);
        Assert.Equal(4, result.Members);
    }

    [Fact]
    public async Task Reads_a_property_column_as_the_identity()
    {
        var (result, ids) = await ReadAsync(
            "\"amplitude_id\",\"user_id\",\"email_hash\"\n\"1\",\"u1\",\"h1\"\n\"2\",\"\",\"h2\"\n\"3\",\"u3\",\"\"\n",
            column: "email_hash");

        Assert.Equal(["h1", "h2"], ids);
        Assert.Equal(1, result.EmptyIdentities);
        Assert.Equal(3, result.Rows);
    }

    [Fact]
    public async Task Rows_with_an_empty_identity_are_counted_and_skipped()
    {
        var (result, ids) = await ReadAsync("\"amplitude_id\",\"user_id\"\n\"1\",\"\"\n\"2\",\"u2\"\n\"3\",\n");

        Assert.Equal(["u2"], ids);
        Assert.Equal(3, result.Rows);
        Assert.Equal(2, result.EmptyIdentities);
    }

    [Fact]
    public async Task Rows_with_the_wrong_field_count_are_counted_with_their_line_and_skipped()
    {
        var (result, ids) = await ReadAsync(
            "\"amplitude_id\",\"user_id\"\n\"1\",\"u1\"\n\"2\",\"u2\",\"extra\"\n\"3\"\n\"4\",\"u4\"\n");

        Assert.Equal(["u1", "u4"], ids);
        Assert.Equal(4, result.Rows);
        Assert.Equal(2, result.MalformedRows);
        Assert.Equal(2, result.MalformedByReason[MalformedRowReason.WrongFieldCount]);
        Assert.Equal([3, 4], result.MalformedSamples.Select(s => s.LineNumber));
    }

    [Fact]
    public async Task An_identity_with_a_stray_quote_is_malformed_not_passed_on()
    {
        var (result, ids) = await ReadAsync("\"amplitude_id\",\"user_id\"\n\"1\",\"a\"b\"c\"\n\"2\",\"u2\"\n\"3\",x\"y\"\n");

        Assert.Equal(["u2"], ids);
        Assert.Equal(2, result.MalformedByReason[MalformedRowReason.BadQuoting]);
    }

    [Fact]
    public async Task Blank_lines_are_not_members_nor_errors()
    {
        var (result, ids) = await ReadAsync("\"amplitude_id\",\"user_id\"\n\"1\",\"u1\"\n\n\"2\",\"u2\"\n\n");

        Assert.Equal(["u1", "u2"], ids);
        Assert.Equal(2, result.Rows);
        Assert.Equal(0, result.MalformedRows);
    }

    [Fact]
    public async Task A_header_only_file_is_an_empty_cohort()
    {
        var (result, ids) = await ReadAsync("\"amplitude_id\",\"user_id\"\n");

        Assert.Empty(ids);
        Assert.Equal(0, result.Rows);
    }

    [Fact]
    public async Task Missing_identity_column_fails_naming_the_column_and_what_was_found()
    {
        var error = await Assert.ThrowsAsync<CohortFileFormatException>(
            () => ReadAsync("\"amplitude_id\",\"user_id\"\n\"1\",\"u1\"\n", column: "email_hash"));

        Assert.Contains("'email_hash'", error.Message);
        Assert.Contains("'user_id'", error.Message);
    }

    [Fact]
    public async Task An_empty_file_fails_as_unparsable()
    {
        var error = await Assert.ThrowsAsync<CohortFileFormatException>(() => ReadAsync(""));
        Assert.Contains("no header", error.Message);
    }

    [Fact]
    public async Task A_file_ending_inside_a_quoted_field_fails_whole()
    {
        var sink = new CollectingSink();
        var error = await Assert.ThrowsAsync<CohortFileFormatException>(() => CohortCsvReader.ReadAsync(
            Csv("\"amplitude_id\",\"user_id\"\n\"1\",\"u1\"\n\"2\",\"u2\n\"3\",\"u3\"\n"), "user_id", sink, CancellationToken.None));

        Assert.Contains("line 3", error.Message);
    }

    [Fact]
    public async Task Binary_garbage_fails_as_not_csv()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        garbage[0] = 0x1f; // gzip magic: what an undecoded compressed body looks like
        garbage[1] = 0x8b;

        await Assert.ThrowsAsync<CohortFileFormatException>(() => CohortCsvReader.ReadAsync(
            new MemoryStream(garbage), "user_id", new CollectingSink(), CancellationToken.None));
    }

    [Fact]
    public async Task A_large_file_is_read_row_by_row_with_exact_counts()
    {
        const int rows = 200_000;
        var text = new StringBuilder("\"amplitude_id\",\"user_id\",\"email_hash\"\n", rows * 40);
        for (var i = 0; i < rows; i++)
        {
            // every 10th member has no user_id, every 1000th row is broken
            var userId = i % 10 == 0 ? "" : $"user-{i}";
            text.Append(i % 1000 == 999 ? $"\"{i}\"\n" : $"\"{i}\",\"{userId}\",\"h{i}\"\n");
        }

        var sink = new CountingSink { KeepDistinct = true };
        var result = await CohortCsvReader.ReadAsync(Csv(text.ToString()), "user_id", sink, CancellationToken.None);

        Assert.Equal(rows, result.Rows);
        Assert.Equal(200, result.MalformedRows);
        Assert.Equal(20_000, result.EmptyIdentities);
        Assert.Equal(rows - 200 - 20_000, result.Members);
        Assert.Equal(result.Members, sink.Distinct.Count);
        Assert.Contains("user-1", sink.Distinct);
        Assert.Contains("user-199998", sink.Distinct);
    }
}
