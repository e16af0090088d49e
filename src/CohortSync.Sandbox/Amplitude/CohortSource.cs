namespace CohortSync.Sandbox.Amplitude;

/// <summary>
/// Where a cohort's file comes from. Immutable: a cohort request keeps the source it saw, so replacing the
/// members later changes new requests only.
/// </summary>
internal abstract class CohortSource
{
    public abstract string Kind { get; }
    public abstract long Size { get; }

    /// <summary>Property keys the file carries when properties are requested without <c>propKeys</c>.</summary>
    public abstract IReadOnlyList<string> PropertyKeys { get; }

    /// <param name="propertyKeys">Property columns after amplitude_id and user_id; null when props were not asked for.</param>
    public abstract Task WriteFileAsync(Stream output, IReadOnlyList<string>? propertyKeys, CancellationToken cancellationToken);

    protected static void WriteHeader(CsvStreamWriter csv, IReadOnlyList<string>? propertyKeys)
    {
        csv.Field("amplitude_id");
        csv.Field("user_id");
        foreach (var key in propertyKeys ?? [])
        {
            csv.Field(key);
        }
    }
}

internal sealed class ExplicitCohortSource : CohortSource
{
    private readonly AmplitudeMember[] _members;

    public ExplicitCohortSource(IEnumerable<AmplitudeMember> members)
    {
        _members = members.ToArray();
        if (_members.Any(m => m is null))
        {
            throw new ArgumentException("Members must not contain null.");
        }

        PropertyKeys = _members
            .SelectMany(m => m.Properties?.Keys ?? Enumerable.Empty<string>())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    public override string Kind => "explicit";
    public override long Size => _members.Length;

    /// <summary>The members as given; the webhook sender diffs them against the next ones.</summary>
    public IReadOnlyList<AmplitudeMember> Members => _members;
    public override IReadOnlyList<string> PropertyKeys { get; }

    public override async Task WriteFileAsync(
        Stream output, IReadOnlyList<string>? propertyKeys, CancellationToken cancellationToken)
    {
        using var csv = new CsvStreamWriter(output);
        WriteHeader(csv, propertyKeys);
        await csv.EndRowAsync(cancellationToken);
        foreach (var member in _members)
        {
            csv.Field(member.AmplitudeId);
            csv.Field(member.UserId ?? "");
            for (var k = 0; k < (propertyKeys?.Count ?? 0); k++)
            {
                csv.Field(member.Properties?.GetValueOrDefault(propertyKeys![k]) ?? "");
            }

            await csv.EndRowAsync(cancellationToken);
        }

        await csv.FlushAsync(cancellationToken);
    }
}

internal sealed class RawCohortSource(byte[] body, long size) : CohortSource
{
    public override string Kind => "raw";
    public override long Size => size;
    public override IReadOnlyList<string> PropertyKeys => [];

    public override Task WriteFileAsync(
        Stream output, IReadOnlyList<string>? propertyKeys, CancellationToken cancellationToken) =>
        output.WriteAsync(body, cancellationToken).AsTask();
}
