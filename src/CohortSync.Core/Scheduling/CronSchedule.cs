using Cronos;

namespace CohortSync.Core.Scheduling;

/// <summary>
/// A cron expression in a time zone: when it fires next, how often in a month, and the shortest time between two
/// firings. Five fields (minute hour day-of-month month day-of-week) or six with seconds first. Times are computed in
/// the zone, so <c>0 6 * * *</c> in Europe/Berlin is 06:00 there in winter and in summer. Across a DST change it
/// behaves as cron does: a time skipped by the spring-forward gap runs at the first instant after the gap, a time
/// repeated by the fall-back overlap runs once (at its first occurrence) unless the expression fires every hour or
/// more often, in which case it runs in both.
/// </summary>
public sealed class CronSchedule
{
    /// <summary>Occurrences counted at most per month: far past any download quota, and a bound on the work.</summary>
    public const int MaxCountedPerMonth = 100_000;

    private static readonly TimeSpan Month = TimeSpan.FromDays(30);
    // The shortest gap is looked for over a year from a fixed instant, so one expression always gives the same answer.
    private static readonly DateTimeOffset GapReference = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const int GapSamples = 2_000;

    private readonly CronExpression _expression;

    private CronSchedule(CronExpression expression, string text, TimeZoneInfo zone, bool hasSeconds)
    {
        _expression = expression;
        Expression = text;
        Zone = zone;
        HasSeconds = hasSeconds;
    }

    /// <summary>The expression as written, its fields separated by single spaces.</summary>
    public string Expression { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>Six fields, seconds first.</summary>
    public bool HasSeconds { get; }

    /// <summary>The zone's id when it is not UTC; null for UTC.</summary>
    public string? ZoneId => IsUtc(Zone) ? null : Zone.Id;

    /// <summary>
    /// Reads <paramref name="expression"/> in the zone <paramref name="timeZoneId"/> (an IANA id such as
    /// <c>Europe/Berlin</c>; null or blank is UTC). <paramref name="error"/> says what is wrong, in one sentence.
    /// </summary>
    public static bool TryParse(string? expression, string? timeZoneId, out CronSchedule? schedule, out string error)
    {
        schedule = null;
        var fields = (expression ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var text = string.Join(' ', fields);
        if (fields.Length is not (5 or 6))
        {
            error = $"cron expression '{text}' has {fields.Length} field(s); write 5 (minute hour day-of-month month day-of-week, e.g. '0 6 * * 1-5') or 6 with seconds first";
            return false;
        }
        if (!TryFindZone(timeZoneId, out var zone, out error)) return false;
        CronExpression parsed;
        try
        {
            parsed = CronExpression.Parse(text, fields.Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            error = $"cron expression '{text}' is not valid ({ex.Message.TrimEnd('.')}); see crontab(5), e.g. '0 6 * * 1-5' for 06:00 on weekdays";
            return false;
        }
        var candidate = new CronSchedule(parsed, text, zone, fields.Length == 6);
        if (candidate.NextAfter(GapReference) is null && candidate.NextAfter(DateTimeOffset.UtcNow) is null)
        {
            error = $"cron expression '{text}' never fires (e.g. 30 February); choose days that exist";
            return false;
        }
        (schedule, error) = (candidate, "");
        return true;
    }

    /// <summary>Finds a time zone by its IANA id; null, blank and <c>UTC</c> are UTC.</summary>
    public static bool TryFindZone(string? timeZoneId, out TimeZoneInfo zone, out string error)
    {
        var id = timeZoneId?.Trim();
        (zone, error) = (TimeZoneInfo.Utc, "");
        if (string.IsNullOrEmpty(id) || string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase)) return true;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            error = $"time zone '{id}' is not known here; use an IANA id such as Europe/Berlin, America/New_York or UTC";
            return false;
        }
    }

    /// <summary>The first firing strictly after <paramref name="now"/>, or null if there is none.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset now) =>
        _expression.GetNextOccurrence(now.ToUniversalTime(), Zone, inclusive: false)?.ToUniversalTime();

    /// <summary>The next <paramref name="count"/> firings after <paramref name="now"/>, in order (fewer if the expression runs out).</summary>
    public IReadOnlyList<DateTimeOffset> Next(DateTimeOffset now, int count)
    {
        var times = new List<DateTimeOffset>(Math.Max(count, 0));
        var at = now;
        while (times.Count < count && NextAfter(at) is { } next)
        {
            times.Add(next);
            at = next;
        }
        return times;
    }

    /// <summary>Firings in the 30 days after <paramref name="from"/> (the month of <see cref="DownloadQuota"/>), at most <see cref="MaxCountedPerMonth"/>.</summary>
    public int PerMonth(DateTimeOffset from)
    {
        var end = from + Month;
        var count = 0;
        foreach (var _ in _expression.GetOccurrences(from.ToUniversalTime(), end.ToUniversalTime(), Zone, fromInclusive: false, toInclusive: true))
        {
            if (++count >= MaxCountedPerMonth) break;
        }
        return count;
    }

    /// <summary>
    /// The shortest time between two firings over a year (or its first firings, for a busy expression): what the
    /// cluster's minimum cadence is held against. A fall-back overlap can make one gap shorter than the rest; that is
    /// the cron's choice and counted.
    /// </summary>
    public TimeSpan ShortestGap()
    {
        var shortest = TimeSpan.MaxValue;
        var end = GapReference.AddYears(1);
        DateTimeOffset? previous = null;
        var samples = 0;
        foreach (var at in _expression.GetOccurrences(GapReference, end, Zone, fromInclusive: true, toInclusive: false))
        {
            if (previous is { } p && at - p < shortest) shortest = at - p;
            previous = at;
            if (++samples >= GapSamples) break;
        }
        // Fires at most once a year: its gap is the year (or more) till the next one.
        if (shortest == TimeSpan.MaxValue) shortest = previous is { } only && NextAfter(only) is { } after ? after - only : TimeSpan.FromDays(365);
        return shortest;
    }

    private static bool IsUtc(TimeZoneInfo zone) =>
        zone == TimeZoneInfo.Utc || zone.Id is "UTC" or "Etc/UTC" or "Etc/Universal" or "Universal" or "Zulu" or "Etc/Zulu";
}
