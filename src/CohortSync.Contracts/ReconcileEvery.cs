using System.Globalization;

namespace CohortSync.Contracts;

/// <summary>
/// <c>--reconcile-every</c> of a realtime sync: <c>auto</c> (null: the engine fits it to the quota), <c>daily</c>,
/// <c>weekly</c>, <c>&lt;N&gt;d</c> or <c>&lt;N&gt;h</c>, from 1 hour to 90 days.
/// </summary>
public static class ReconcileEvery
{
    public static readonly TimeSpan Minimum = TimeSpan.FromHours(1);
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(90);

    public static bool TryParse(string? text, out TimeSpan? every, out string error)
    {
        (every, error) = (null, "");
        var t = text?.Trim().ToLowerInvariant();
        switch (t)
        {
            case null or "" or "auto": return true;
            case "daily": every = TimeSpan.FromDays(1); return true;
            case "weekly": every = TimeSpan.FromDays(7); return true;
        }
        if (t.Length > 1 && t[^1] is 'd' or 'h' && long.TryParse(t.AsSpan(0, t.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n > 0 && n <= 90 * 24)
        {
            var value = t[^1] == 'd' ? TimeSpan.FromDays(n) : TimeSpan.FromHours(n);
            if (value >= Minimum && value <= Maximum)
            {
                every = value;
                return true;
            }
        }
        error = $"reconcile interval '{text}' is not auto, daily, weekly, <N>d or <N>h (1 hour to 90 days)";
        return false;
    }
}
