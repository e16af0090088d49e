namespace CohortSync.Iterable.Delivery;

/// <summary>
/// The adaptive request rate towards one Iterable project (AIMD). Iterable documents no limit for the list
/// write endpoints, so the engine starts at a guess, halves on every 429 and probes back up while it is quiet.
/// Start and ceiling can be set per destination; the rest is engine-wide (<c>CohortSync:RateBudget</c>).
/// </summary>
public sealed class RateBudgetOptions
{
    public const string Section = "CohortSync:RateBudget";

    /// <summary>Requests per second a project starts at (and returns to after the budget is forgotten).</summary>
    public double StartPerSecond { get; set; } = 20;

    /// <summary>Requests per second the probing never goes beyond.</summary>
    public double MaxPerSecond { get; set; } = 100;

    /// <summary>Floor of the rate after repeated 429s.</summary>
    public double MinPerSecond { get; set; } = 0.5;

    /// <summary>The rate is multiplied by this on a 429 (once per rate: answers to requests paced at an older rate do not count again).</summary>
    public double DecreaseFactor { get; set; } = 0.5;

    /// <summary>Requests per second added after every quiet period in which callers had to wait.</summary>
    public double IncreaseStep { get; set; } = 2;

    /// <summary>How long without a 429 before the rate is raised by <see cref="IncreaseStep"/>.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Until the project's first 429 the rate is multiplied by this after every <see cref="SlowStartPeriod"/> in which
    /// callers had to wait (TCP's slow start): from the default start of 20 a second it reaches a ceiling of 100 in
    /// about 6 s instead of 200 s of steps. After the first 429, <see cref="IncreaseStep"/> per <see cref="QuietPeriod"/>.
    /// 1 turns it off.
    /// </summary>
    public double SlowStartFactor { get; set; } = 2;

    public TimeSpan SlowStartPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Pause of the whole project after a 429 that carries no Retry-After.</summary>
    public TimeSpan RateLimitPause { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap on a Retry-After that is honoured.</summary>
    public TimeSpan MaxRateLimitPause { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How far ahead permits are handed out; bounds how many requests go at an outdated rate after a 429.</summary>
    public TimeSpan LeaseHorizon { get; set; } = TimeSpan.FromMilliseconds(250);

    public IEnumerable<string> Problems()
    {
        if (MinPerSecond <= 0 || StartPerSecond < MinPerSecond || MaxPerSecond < StartPerSecond)
        {
            yield return "rates must satisfy 0 < MinPerSecond <= StartPerSecond <= MaxPerSecond";
        }

        if (DecreaseFactor is <= 0 or >= 1)
        {
            yield return "DecreaseFactor must be between 0 and 1";
        }

        if (SlowStartFactor < 1 || SlowStartPeriod <= TimeSpan.Zero)
        {
            yield return "SlowStartFactor must be at least 1 and SlowStartPeriod positive";
        }

        if (IncreaseStep < 0 || QuietPeriod <= TimeSpan.Zero || RateLimitPause < TimeSpan.Zero || MaxRateLimitPause < RateLimitPause || LeaseHorizon <= TimeSpan.Zero)
        {
            yield return "IncreaseStep, QuietPeriod, pauses and LeaseHorizon must be positive (MaxRateLimitPause at least RateLimitPause)";
        }
    }
}
