using CohortSync.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace CohortSync.Client.Tests;

/// <summary>
/// <see cref="StartSyncRequest"/> on the wire between a client and a silo of which one predates the
/// <see cref="Cadence"/> type (the cadence was then field 2, a string): each still understands the other.
/// </summary>
public sealed class StartSyncRequestCompatibilityTests
{
    private readonly Serializer _serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    [Fact]
    public void A_request_from_an_older_client_reads_its_cadence_from_the_text()
    {
        var bytes = _serializer.SerializeToArray(new StartSyncRequestBeforeCadenceType("c1", "d1", " Daily "));

        var request = _serializer.Deserialize<StartSyncRequest>(bytes)!;

        Assert.True(request.TryGetCadence(out var cadence, out var error), error);
        Assert.Equal((Cadence.Daily, "c1", "d1"), (cadence, request.CohortId, request.DestinationId));
    }

    [Fact]
    public void A_bad_cadence_from_an_older_client_is_refused_with_the_parsers_message()
    {
        var bytes = _serializer.SerializeToArray(new StartSyncRequestBeforeCadenceType("c1", "d1", "weekly"));

        var request = _serializer.Deserialize<StartSyncRequest>(bytes)!;

        Assert.False(request.TryGetCadence(out _, out var error));
        Assert.False(Cadence.TryParse("weekly", out _, out var parserError));
        Assert.Equal(parserError, error);
    }

    [Fact]
    public void A_request_from_this_client_carries_the_parsed_cadence_and_its_text_for_older_silos()
    {
        var sent = new StartSyncRequest("c1", "d1", Cadence.Parse("90M"));
        var bytes = _serializer.SerializeToArray(sent);

        var read = _serializer.Deserialize<StartSyncRequest>(bytes)!;
        var readByOlderSilo = _serializer.Deserialize<StartSyncRequestBeforeCadenceType>(bytes)!;

        Assert.Equal(sent, read);
        Assert.True(read.TryGetCadence(out var cadence, out _));
        Assert.Equal(Cadence.Parse("90m"), cadence);
        Assert.Equal("90m", readByOlderSilo.Cadence);
    }
}

/// <summary><see cref="StartSyncRequest"/> as it was before the <see cref="Cadence"/> type (same field ids).</summary>
[GenerateSerializer, Immutable, Alias("cs.tests.StartSyncRequestBeforeCadenceType")]
public sealed record StartSyncRequestBeforeCadenceType(
    [property: Id(0)] string CohortId,
    [property: Id(1)] string DestinationId,
    [property: Id(2)] string Cadence);
