using CohortSync.Contracts;
using CohortSync.Grains.Destinations;

namespace CohortSync.Grains.Tests;

public sealed class ConcurrencySettingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65)]
    public void A_number_of_requests_in_flight_outside_one_to_sixty_four_is_refused_with_a_sentence(int concurrency)
    {
        var refused = Assert.Throws<CohortSyncException>(() => ConcurrencySetting.From(concurrency));

        Assert.Equal(ErrorCodes.InvalidArgument, refused.Code);
        Assert.Equal("concurrency must be between 1 and 64 requests in flight", refused.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    [InlineData(64)]
    public void No_number_or_one_in_range_is_kept(int? concurrency) => Assert.Equal(concurrency, ConcurrencySetting.From(concurrency));
}
