namespace CohortSync.Sandbox.Amplitude;

/// <summary>
/// A synthetic cohort whose rows are computed while streaming (see <see cref="GeneratedCohortSpec"/>):
/// nothing per member is stored, so two million members cost no memory and stream in about a second.
/// </summary>
internal sealed class GeneratedCohortSource : CohortSource
{
    private const long AmplitudeIdBase = 1_000_000_000;
    private const ulong UserIdSalt = 0x5EED_0001;
    private const ulong PropertyPresenceSalt = 0x5EED_0002;
    private const ulong PropertyValueSalt = 0x5EED_0003;
    private const ulong RemovalSalt = 0x5EED_0004;

    private readonly GeneratedCohortSpec _spec;
    private readonly IndexRange[] _removed;
    private readonly bool _removedOverlap;
    private readonly IndexRange[] _added;

    public GeneratedCohortSource(GeneratedCohortSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Require(spec.Count >= 0, "count must not be negative");
        Require(spec.Offset >= 0, "offset must not be negative");
        Require(spec.AddCount >= 0, "addCount must not be negative");
        Require(spec.IdPrefix is not null, "idPrefix must be set");
        Require(spec.PropertyName is null || spec.PropertyName.Length > 0, "propertyName must not be empty");
        foreach (var fraction in new[] { spec.MissingPropertyFraction, spec.MissingUserIdFraction, spec.RemoveFraction })
        {
            Require(fraction is >= 0 and <= 1, "fractions must be between 0 and 1");
        }

        _spec = spec;
        _removed = Ranges(spec.Removed).OrderBy(r => r.From).ToArray();
        _removedOverlap = _removed.Zip(_removed.Skip(1)).Any(p => p.Second.From < p.First.To);
        _added = Ranges(spec.Added);
        Require(_added.All(r => r.From >= 0), "added ranges must not be negative");
        PropertyKeys = spec.PropertyName is null ? [] : [spec.PropertyName];
        Size = CountMembers();
    }

    public override string Kind => "generated";
    public override long Size { get; }
    public override IReadOnlyList<string> PropertyKeys { get; }

    public override async Task WriteFileAsync(
        Stream output, IReadOnlyList<string>? propertyKeys, CancellationToken cancellationToken)
    {
        using var csv = new CsvStreamWriter(output);
        WriteHeader(csv, propertyKeys);
        await csv.EndRowAsync(cancellationToken);
        foreach (var (from, to) in MemberRanges())
        {
            for (var index = from; index < to; index++)
            {
                if (IsRemoved(index))
                {
                    continue;
                }

                WriteMember(csv, index, propertyKeys);
                await csv.EndRowAsync(cancellationToken);
            }
        }

        await csv.FlushAsync(cancellationToken);
    }

    private void WriteMember(CsvStreamWriter csv, long index, IReadOnlyList<string>? propertyKeys)
    {
        csv.Field(AmplitudeIdBase + index);
        if (Fraction(index, UserIdSalt) < _spec.MissingUserIdFraction)
        {
            csv.Field("");
        }
        else
        {
            csv.Field(_spec.IdPrefix, index);
        }

        // Indexed, not foreach: an interface enumerator per row would be two million allocations.
        for (var k = 0; k < (propertyKeys?.Count ?? 0); k++)
        {
            var key = propertyKeys![k];
            if (key == _spec.PropertyName && Fraction(index, PropertyPresenceSalt) >= _spec.MissingPropertyFraction)
            {
                csv.HexField(Mix(index, PropertyValueSalt));
            }
            else
            {
                csv.Field("");
            }
        }
    }

    /// <summary>Base indices first, then the appended ones; removals apply to the base only.</summary>
    private IEnumerable<(long From, long To)> MemberRanges()
    {
        yield return (_spec.Offset, _spec.Offset + _spec.Count);
        if (_spec.AddCount > 0)
        {
            yield return (_spec.Offset + _spec.Count, _spec.Offset + _spec.Count + _spec.AddCount);
        }

        foreach (var range in _added)
        {
            yield return (range.From, range.To);
        }
    }

    private bool IsRemoved(long index)
    {
        if (index >= _spec.Offset + _spec.Count)
        {
            return false;
        }

        if (_spec.RemoveFraction > 0 && Fraction(index, RemovalSalt) < _spec.RemoveFraction)
        {
            return true;
        }

        // The ranges are sorted by start: the last one starting at or before the index is the only candidate
        // unless ranges overlap, so a binary search keeps ten thousand single-member removals cheap.
        var lo = 0;
        var hi = _removed.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_removed[mid].From <= index) lo = mid + 1; else hi = mid - 1;
        }

        for (var i = hi; i >= 0; i--)
        {
            if (index < _removed[i].To)
            {
                return true;
            }

            if (!_removedOverlap)
            {
                return false;
            }
        }

        return false;
    }

    private long CountMembers()
    {
        long size = 0;
        foreach (var (from, to) in MemberRanges())
        {
            if (_spec.RemoveFraction == 0 && _removed.Length == 0)
            {
                size += to - from;
                continue;
            }

            for (var index = from; index < to; index++)
            {
                size += IsRemoved(index) ? 0 : 1;
            }
        }

        return size;
    }

    /// <summary>
    /// SplitMix64's finaliser over (seed, index, salt). It is a bijection for a fixed seed and salt, which makes the
    /// property values unique per member, and its output is uniform enough to pick fractions.
    /// </summary>
    private ulong Mix(long index, ulong salt)
    {
        var z = unchecked(((ulong)index + (ulong)_spec.Seed * 0x9E3779B97F4A7C15UL) ^ (salt * 0xD6E8FEB86659FD93UL));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    private double Fraction(long index, ulong salt) => (Mix(index, salt) >> 11) * (1.0 / (1UL << 53));

    private static IndexRange[] Ranges(IReadOnlyList<IndexRange>? ranges)
    {
        var result = (ranges ?? []).ToArray();
        Require(result.All(r => r is not null && r.To >= r.From), "index ranges need from <= to");
        return result;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"Generated cohort: {message}.");
        }
    }
}
