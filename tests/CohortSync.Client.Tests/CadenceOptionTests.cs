using CohortSync.Client.Cli;
using CohortSync.Contracts;

namespace CohortSync.Client.Tests;

/// <summary>
/// <c>--cadence</c> is read by <see cref="Cadence"/>, the parser the silo calls on the same request: a cadence the
/// silo reads is sent, one it refuses is refused here with the silo's words and nothing is sent.
/// </summary>
public sealed class CadenceOptionTests
{
    private readonly CountingUnreachableConnector _cluster = new();

    private Task<CliResult> StartAsync(string cadence) =>
        CliHarness.RunAsync(_cluster, ["sync", "start", "p1", "--cohort", "c1", "--destination", "d1", "--cadence", cadence]);

    [Theory]
    [InlineData("30s")]
    [InlineData("Daily")]
    [InlineData("HOURLY")]
    [InlineData(" once ")]
    [InlineData("01m")]
    [InlineData("44640m")]
    public async Task A_cadence_the_silo_reads_goes_to_the_cluster(string cadence)
    {
        Assert.True(Cadence.TryParse(cadence, out _, out _));

        var result = await StartAsync(cadence);

        Assert.NotEqual(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(1, _cluster.Attempts);
    }

    [Theory]
    [InlineData("weekly")]
    [InlineData("0m")]
    [InlineData("0s")]
    [InlineData("15h")]
    [InlineData("1.5m")]
    [InlineData("44641m")]
    public async Task A_cadence_the_silo_refuses_is_refused_with_the_silos_message(string cadence)
    {
        Assert.False(Cadence.TryParse(cadence, out _, out var siloError));

        var result = await StartAsync(cadence);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal($"error: {siloError} (see --help)\n", result.Stderr);
        Assert.Equal(0, _cluster.Attempts);
    }
}
