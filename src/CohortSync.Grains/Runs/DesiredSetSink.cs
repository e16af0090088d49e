using CohortSync.Amplitude;
using CohortSync.Core.Identity;

namespace CohortSync.Grains.Runs;

/// <summary>Feeds each row's identifier from the cohort reader into the desired set.</summary>
internal sealed class DesiredSetSink(DesiredSetBuilder builder) : IMemberSink
{
    public void Accept(ReadOnlySpan<char> identity) => builder.Accept(identity);
}
