using System.ComponentModel;
using System.Globalization;

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
}

/// <summary>
/// How often a sync runs: <c>once</c>, <c>hourly</c>, <c>daily</c>, <c>&lt;N&gt;m</c> (every N minutes) or
/// <c>&lt;N&gt;s</c> (every N seconds, which only a silo with a short minimum cadence accepts). The one parser the
/// client and the silo both call; <see cref="ToString"/> is the canonical form shown to people and stored.
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

    private Cadence(CadenceKind kind, TimeSpan period) => (Kind, Period) = (kind, period);

    public static Cadence Once { get; } = new(CadenceKind.Once, TimeSpan.Zero);
    public static Cadence Hourly { get; } = new(CadenceKind.Hourly, TimeSpan.FromHours(1));
    public static Cadence Daily { get; } = new(CadenceKind.Daily, TimeSpan.FromDays(1));
    public static Cadence Realtime { get; } = new(CadenceKind.Realtime, TimeSpan.FromDays(1));

    [Id(0)] public CadenceKind Kind { get; }

    /// <summary>Time between runs; zero for <c>once</c>.</summary>
    [Id(1)] public TimeSpan Period { get; }

    public bool IsRecurring => Kind != CadenceKind.Once;

    /// <summary>Driven by webhooks; <see cref="Period"/> is then the default reconciliation interval.</summary>
    public bool IsRealtime => Kind == CadenceKind.Realtime;

    public override string ToString() => Kind switch
    {
        CadenceKind.Once => "once",
        CadenceKind.Hourly => "hourly",
        CadenceKind.Daily => "daily",
        CadenceKind.Realtime => "realtime",
        _ when Period.Ticks % TimeSpan.TicksPerMinute == 0 => $"{(long)Period.TotalMinutes}m",
        _ => $"{(long)Period.TotalSeconds}s",
    };

    /// <summary>Reads a cadence in any case, surrounding blanks ignored; <paramref name="error"/> says why not.</summary>
    public static bool TryParse(string? text, out Cadence cadence, out string error)
    {
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
        error = parsed is null ? $"cadence '{text}' is not one of once, hourly, daily, realtime or <N>m (every N minutes, N from 1 to {MaxCount})" : "";
        return parsed is not null;
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
