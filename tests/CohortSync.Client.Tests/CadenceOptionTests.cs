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

/// <summary><c>--cadence cron:…</c> with <c>--tz</c>: read by the silo's parser, refused here (exit 2) with its words.</summary>
public sealed class CronCadenceOptionTests
{
    private readonly CountingUnreachableConnector _cluster = new();

    private Task<CliResult> StartAsync(params string[] extra) =>
        CliHarness.RunAsync(_cluster, ["sync", "start", "p1", "--cohort", "c1", "--destination", "d1", .. extra]);

    [Theory]
    [InlineData("cron:0 6 * * 1-5")]
    [InlineData("cron:0 6 * * 1-5", "--tz", "Europe/Berlin")]
    [InlineData("cron:*/10 * * * * *")]
    public async Task A_cron_cadence_the_silo_reads_goes_to_the_cluster(string cadence, params string[] zone)
    {
        var result = await StartAsync(["--cadence", cadence, .. zone]);

        Assert.NotEqual(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(1, _cluster.Attempts);
    }

    [Theory]
    [InlineData("cron:0 6 * *", null, "cron expression '0 6 * *' has 4 field(s); write 5 (minute hour day-of-month month day-of-week, e.g. '0 6 * * 1-5') or 6 with seconds first")]
    [InlineData("cron:0 6 * * 1-5", "Europe/Berlim", "time zone 'Europe/Berlim' is not known here; use an IANA id such as Europe/Berlin, America/New_York or UTC")]
    [InlineData("daily", "Europe/Berlin", "a time zone ('Europe/Berlin') is for cron cadences only; 'daily' runs at the same instants in every zone")]
    public async Task A_bad_cron_or_zone_exits_2_with_the_silos_message_and_sends_nothing(string cadence, string? zone, string message)
    {
        var result = await StartAsync(zone is null ? ["--cadence", cadence] : ["--cadence", cadence, "--tz", zone]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal($"error: {message} (see --help)\n", result.Stderr);
        Assert.Equal(0, _cluster.Attempts);
    }
}
