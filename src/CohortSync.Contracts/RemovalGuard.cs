using System.ComponentModel;
using System.Globalization;

namespace CohortSync.Contracts;

/// <summary>
/// How many removals a run of a sync may send before it is held for an operator (DESIGN.md §5, "No surprise mass
/// removal"): <c>off</c>, <c>PCT</c> or <c>PCT,MIN</c>. A run is held when it would remove more than PCT % of the list
/// and more than MIN members, or every member of a non-empty list. The one parser the client and the silo both call;
/// <see cref="ToString"/> is the canonical form shown to people and stored.
/// </summary>
[GenerateSerializer, Immutable, Alias("cs.RemovalGuard")]
[TypeConverter(typeof(RemovalGuardTextConverter))]
public sealed record RemovalGuard
{
    public const int DefaultPercent = 20;
    public const long DefaultMinimum = 1000;

    private RemovalGuard(bool off, int percent, long minimum) => (Off, Percent, Minimum) = (off, percent, minimum);

    /// <summary>More than 20 % of the list and more than 1,000 members, or all of a non-empty list.</summary>
    public static RemovalGuard Default { get; } = new(false, DefaultPercent, DefaultMinimum);

    public static RemovalGuard None { get; } = new(true, 100, long.MaxValue);

    /// <summary>No run is held, whatever it removes.</summary>
    [Id(0)] public bool Off { get; }

    /// <summary>Removals above this share of the list (1–100) hold the run, if they are also above <see cref="Minimum"/>.</summary>
    [Id(1)] public int Percent { get; }

    [Id(2)] public long Minimum { get; }

    /// <summary>Whether a run that would remove <paramref name="removes"/> of a list of <paramref name="listed"/> is held.</summary>
    public bool Holds(long listed, long removes)
    {
        if (Off || removes <= 0) return false;
        if (removes >= listed) return true;
        return removes * 100 > listed * Percent && removes > Minimum;
    }

    public override string ToString() => Off ? "off" : Minimum == DefaultMinimum ? $"{Percent}%" : $"{Percent}%,{Minimum}";

    /// <summary>Words for a reason: "more than 20 % and 1,000 members".</summary>
    public string Describe() => Off ? "no guard" : string.Create(CultureInfo.InvariantCulture, $"more than {Percent}% and {Minimum:N0} members");

    /// <summary>Reads <c>off</c>, <c>PCT</c> or <c>PCT,MIN</c> (a trailing % allowed); <paramref name="error"/> says why not.</summary>
    public static bool TryParse(string? text, out RemovalGuard guard, out string error)
    {
        guard = Default;
        error = "";
        var trimmed = text?.Trim().ToLowerInvariant() ?? "";
        if (trimmed == "off")
        {
            guard = None;
            return true;
        }
        var parts = trimmed.Split(',');
        if (parts.Length is 1 or 2 && Percentage(parts[0]) is { } percent && (parts.Length == 1 || Count(parts[1]) is not null))
        {
            guard = new RemovalGuard(false, percent, parts.Length == 2 ? Count(parts[1])!.Value : DefaultMinimum);
            return true;
        }
        error = $"guard '{text}' is not off, PCT or PCT,MIN (PCT a whole percentage from 1 to 100, MIN a member count, e.g. 20 or 20,1000)";
        return false;
    }

    public static RemovalGuard Parse(string? text) => TryParse(text, out var guard, out var error) ? guard : throw new FormatException(error);

    private static int? Percentage(string text) =>
        int.TryParse(text.Trim().TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 100 ? n : null;

    private static long? Count(string text) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : null;
}

/// <summary>Converts a <see cref="RemovalGuard"/> to and from its canonical text (used by JSON serializers).</summary>
public sealed class RemovalGuardTextConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) =>
        destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? RemovalGuard.Parse(text) : base.ConvertFrom(context, culture, value);

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is RemovalGuard guard ? guard.ToString() : base.ConvertTo(context, culture, value, destinationType);
}
