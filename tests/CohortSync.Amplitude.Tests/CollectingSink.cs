using CohortSync.Amplitude;

namespace CohortSync.Amplitude.Tests;

/// <summary>Keeps every identity it is given, in order.</summary>
internal sealed class CollectingSink : IMemberSink
{
    public List<string> Identities { get; } = [];

    public void Accept(ReadOnlySpan<char> identity) => Identities.Add(identity.ToString());
}

/// <summary>Counts identities and folds them into a hash, without keeping them.</summary>
internal sealed class CountingSink : IMemberSink
{
    public long Count { get; private set; }
    public HashSet<string> Distinct { get; } = new(StringComparer.Ordinal);
    public bool KeepDistinct { get; init; }

    public void Accept(ReadOnlySpan<char> identity)
    {
        Count++;
        if (KeepDistinct)
        {
            Distinct.Add(identity.ToString());
        }
    }
}
