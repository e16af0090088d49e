using CohortSync.Core.Runs;
using Xunit;

namespace CohortSync.Core.Tests.Runs;

public sealed class ListNamingTests
{
    [Fact]
    public void Lists_are_named_as_amplitude_names_them() =>
        Assert.Equal("[Amplitude] Power users", ListNaming.ForCohort(" Power users "));
}
