using System.Globalization;

namespace CohortSync.Core.Scheduling;

public enum CadenceKind
{
    Once,
    Hourly,
    Daily,
    Every,
}

/// <summary>How often a sync runs: <c>once</c>, <c>hourly</c>, <c>daily</c>, <c>&lt;N&gt;m</c> (minutes) or <c>&lt;N&gt;s</c> (seconds, for tests).</summary>
public sealed record Cadence(CadenceKind Kind, TimeSpan Period)
{
    public static Cadence Once { get; } = new(CadenceKind.Once, TimeSpan.Zero);
    public static Cadence Hourly { get; } = new(CadenceKind.Hourly, TimeSpan.FromHours(1));
    public static Cadence Daily { get; } = new(CadenceKind.Daily, TimeSpan.FromDays(1));

    public bool IsRecurring => Kind != CadenceKind.Once;

    public override string ToString() => Kind switch
    {
        CadenceKind.Once => "once",
        CadenceKind.Hourly => "hourly",
        CadenceKind.Daily => "daily",
        _ when Period.TotalMinutes >= 1 && Period.Ticks % TimeSpan.TicksPerMinute == 0 => $"{(long)Period.TotalMinutes}m",
        _ => $"{(long)Period.TotalSeconds}s",
    };

    public static bool TryParse(string? text, TimeSpan minimumPeriod, out Cadence cadence, out string error)
    {
        cadence = Once;
        error = "";
        var t = text?.Trim().ToLowerInvariant() ?? "";
        switch (t)
        {
            case "once": return true;
            case "hourly": cadence = Hourly; break;
            case "daily": cadence = Daily; break;
            default:
                if (t.Length < 2 || (t[^1] != 'm' && t[^1] != 's')
                    || !long.TryParse(t.AsSpan(0, t.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > 60 * 24 * 31)
                {
                    error = $"bad cadence '{text}': use once, hourly, daily or <N>m (every N minutes)";
                    return false;
                }
                cadence = new Cadence(CadenceKind.Every, t[^1] == 'm' ? TimeSpan.FromMinutes(n) : TimeSpan.FromSeconds(n));
                break;
        }
        if (cadence.Period < minimumPeriod)
        {
            error = $"cadence '{text}' is shorter than the minimum period of {Format(minimumPeriod)}";
            return false;
        }
        return true;
    }

    public static Cadence Parse(string text, TimeSpan minimumPeriod) =>
        TryParse(text, minimumPeriod, out var c, out var e) ? c : throw new FormatException(e);

    private static string Format(TimeSpan t) => t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.##} minute(s)" : $"{t.TotalSeconds:0.##} second(s)";
}
