using System.ComponentModel;
using System.Globalization;
using CohortSync.Core.Scheduling;

namespace CohortSync.Contracts;

/// <summary>Which of the cadence forms a <see cref="Cadence"/> was written in (<c>60m</c> and <c>hourly</c> differ in name only).</summary>
[GenerateSerializer, Alias("cs.CadenceKind")]
public enum CadenceKind
{
    Once = 0,
    Hourly = 1,
    Daily = 2,
    /// <summary>Every <see cref="Cadence.Period"/>, written <c>&lt;N&gt;m</c> or <c>&lt;N&gt;s</c>.</summary>
    Every = 3,
    /// <summary>
    /// Follows Amplitude's cohort webhooks: pushed changes are applied within seconds, and the whole cohort is downloaded
    /// on a slow reconciliation schedule (<see cref="Cadence.Period"/>, daily unless the sync says otherwise).
    /// </summary>
    Realtime = 4,
    /// <summary>At the times of a cron expression (<see cref="Cadence.Cron"/>) in a time zone (<see cref="Cadence.TimeZone"/>), not spread by sync.</summary>
    Cron = 50,
}

/// <summary>
/// How often a sync runs: <c>once</c>, <c>hourly</c>, <c>daily</c>, <c>&lt;N&gt;m</c> (every N minutes),
/// <c>&lt;N&gt;s</c> (every N seconds, which only a silo with a short minimum cadence accepts), <c>realtime</c>, or
/// <c>cron:&lt;expression&gt;</c> in a time zone (UTC unless given). The one parser the client and the silo both call;
/// <see cref="ToString"/> is the canonical form shown to people and stored: <c>cron:0 6 * * 1-5 (Europe/Berlin)</c>,
/// the zone in brackets unless it is UTC.
/// </summary>
/// <remarks>
/// The type converter makes JSON grain state hold the canonical text, as it did when the cadence was a string, so
/// state written before and after this type reads either way.
/// </remarks>
[GenerateSerializer, Immutable, Alias("cs.Cadence")]
[TypeConverter(typeof(CadenceTextConverter))]
public sealed record Cadence
{
    /// <summary>The largest N of <c>&lt;N&gt;m</c> and <c>&lt;N&gt;s</c>: 31 days in minutes.</summary>
    public const long MaxCount = 60 * 24 * 31;

    private const string CronPrefix = "cron:";

    private Cadence(CadenceKind kind, TimeSpan period) => (Kind, Period) = (kind, period);

    private Cadence(CronSchedule schedule) : this(CadenceKind.Cron, schedule.ShortestGap()) =>
        (Cron, TimeZone) = (schedule.Expression, schedule.ZoneId);

    public static Cadence Once { get; } = new(CadenceKind.Once, TimeSpan.Zero);
    public static Cadence Hourly { get; } = new(CadenceKind.Hourly, TimeSpan.FromHours(1));
    public static Cadence Daily { get; } = new(CadenceKind.Daily, TimeSpan.FromDays(1));
    public static Cadence Realtime { get; } = new(CadenceKind.Realtime, TimeSpan.FromDays(1));

    [Id(0)] public CadenceKind Kind { get; }

    /// <summary>Time between runs; zero for <c>once</c>; for a cron cadence the shortest time between two of its runs.</summary>
    [Id(1)] public TimeSpan Period { get; }

    /// <summary>A cron cadence's expression (5 fields, or 6 with seconds first); null for the other kinds.</summary>
    [Id(50)] public string? Cron { get; }

    /// <summary>A cron cadence's IANA time zone; null for UTC and for the other kinds.</summary>
    [Id(51)] public string? TimeZone { get; }

    public bool IsCron => Kind == CadenceKind.Cron;

    /// <summary>The cron cadence's schedule (its expression in its zone); null for the other kinds.</summary>
    public CronSchedule? Schedule =>
        IsCron && CronSchedule.TryParse(Cron, TimeZone, out var schedule, out _) ? schedule : null;

    /// <summary>Amplitude downloads this cadence makes in the 30 days after <paramref name="now"/>: cron firings counted, the others by period.</summary>
    public int DownloadsPerMonth(DateTimeOffset now) =>
        Schedule is { } schedule ? schedule.PerMonth(now) : DownloadQuota.PerMonth(Period);

    public bool IsRecurring => Kind != CadenceKind.Once;

    /// <summary>Driven by webhooks; <see cref="Period"/> is then the default reconciliation interval.</summary>
    public bool IsRealtime => Kind == CadenceKind.Realtime;

    public override string ToString() => Kind switch
    {
        CadenceKind.Once => "once",
        CadenceKind.Hourly => "hourly",
        CadenceKind.Daily => "daily",
        CadenceKind.Realtime => "realtime",
        CadenceKind.Cron => TimeZone is null ? $"{CronPrefix}{Cron}" : $"{CronPrefix}{Cron} ({TimeZone})",
        _ when Period.Ticks % TimeSpan.TicksPerMinute == 0 => $"{(long)Period.TotalMinutes}m",
        _ => $"{(long)Period.TotalSeconds}s",
    };

    /// <summary>Reads a cadence in any case, surrounding blanks ignored; <paramref name="error"/> says why not.</summary>
    public static bool TryParse(string? text, out Cadence cadence, out string error) => TryParse(text, null, out cadence, out error);

    /// <summary>
    /// Reads a cadence; a cron cadence's times are in <paramref name="timeZone"/> (an IANA id; null: the zone in the
    /// text's brackets, else UTC). A zone for a cadence that is not cron is refused: it would be silently ignored.
    /// </summary>
    public static bool TryParse(string? text, string? timeZone, out Cadence cadence, out string error)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.StartsWith(CronPrefix, StringComparison.OrdinalIgnoreCase)) return TryParseCron(trimmed[CronPrefix.Length..], timeZone, out cadence, out error);
        if (!string.IsNullOrWhiteSpace(timeZone))
        {
            (cadence, error) = (Once, $"a time zone ('{timeZone.Trim()}') is for cron cadences only; '{trimmed}' runs at the same instants in every zone");
            return false;
        }
        Cadence? parsed = (text?.Trim().ToLowerInvariant() ?? "") switch
        {
            "once" => Once,
            "hourly" => Hourly,
            "daily" => Daily,
            "realtime" => Realtime,
            [.. var digits, 'm'] when Count(digits) is { } minutes => new(CadenceKind.Every, TimeSpan.FromMinutes(minutes)),
            [.. var digits, 's'] when Count(digits) is { } seconds => new(CadenceKind.Every, TimeSpan.FromSeconds(seconds)),
            _ => null,
        };
        cadence = parsed ?? Once;
        error = parsed is null ? $"cadence '{text}' is not one of once, hourly, daily, realtime, <N>m (every N minutes, N from 1 to {MaxCount}) or cron:<expression>" : "";
        return parsed is not null;
    }

    // "0 6 * * 1-5" or "0 6 * * 1-5 (Europe/Berlin)", the canonical form's zone in brackets.
    private static bool TryParseCron(string body, string? timeZone, out Cadence cadence, out string error)
    {
        cadence = Once;
        var expression = body.Trim();
        string? zone = string.IsNullOrWhiteSpace(timeZone) ? null : timeZone.Trim();
        if (expression.EndsWith(')') && expression.LastIndexOf('(') is var open and >= 0)
        {
            var written = expression[(open + 1)..^1].Trim();
            expression = expression[..open].Trim();
            if (zone is not null && !string.Equals(zone, written, StringComparison.Ordinal))
            {
                error = $"the cadence says time zone '{written}' and --tz says '{zone}'; give the zone once";
                return false;
            }
            zone = written;
        }
        if (!CronSchedule.TryParse(expression, zone, out var schedule, out error)) return false;
        cadence = new Cadence(schedule!);
        return true;
    }

    public static Cadence Parse(string? text) => TryParse(text, out var cadence, out var error) ? cadence : throw new FormatException(error);

    private static long? Count(string digits) =>
        long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxCount ? n : null;
}

/// <summary>Converts a <see cref="Cadence"/> to and from its canonical text (used by JSON serializers).</summary>
public sealed class CadenceTextConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) =>
        destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? Cadence.Parse(text) : base.ConvertFrom(context, culture, value);

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is Cadence cadence ? cadence.ToString() : base.ConvertTo(context, culture, value, destinationType);
}
