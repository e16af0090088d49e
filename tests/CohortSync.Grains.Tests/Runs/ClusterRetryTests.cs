using CohortSync.Grains.Runs;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// A call made again for cluster faults, and the one case where it is not: the caller's token was cancelled meanwhile
/// (its activation is deactivating because a silo died). Then the fault surfaces as the cancellation it is, so the run
/// ends "interrupted" and resumes, instead of failing as if a silo had stopped answering its own call.
/// </summary>
public sealed class ClusterRetryTests
{
    private readonly ClusterRetry _retry = new(Options.Create(new SyncEngineOptions { ClusterRetryWindow = TimeSpan.FromSeconds(30) }), TimeProvider.System);

    [Fact]
    public async Task A_cluster_fault_met_after_the_token_was_cancelled_surfaces_as_a_cancellation_and_is_not_made_again()
    {
        using var cancel = new CancellationTokenSource();
        var calls = 0;

        var thrown = await Assert.ThrowsAsync<OperationCanceledException>(() => _retry.CallAsync<int>(_ =>
        {
            calls++;
            cancel.Cancel();
            throw new SiloUnavailableException("the silo hosting the grain was declared dead");
        }, cancel.Token));

        Assert.Equal(1, calls);
        Assert.IsType<SiloUnavailableException>(thrown.InnerException);
        Assert.True(ClusterFaults.EndedByCancellation(thrown, cancel.Token));
    }

    [Fact]
    public async Task A_cluster_fault_with_the_token_live_is_made_again_until_it_clears()
    {
        var calls = 0;

        var answer = await _retry.CallAsync(_ => ++calls < 3 ? throw new SiloUnavailableException("gone") : Task.FromResult(calls), CancellationToken.None);

        Assert.Equal(3, answer);
    }

    [Fact]
    public void A_cluster_fault_counts_as_the_end_by_cancellation_only_once_the_token_is_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var fault = new AggregateException(new SiloUnavailableException("gone"));

        Assert.False(ClusterFaults.EndedByCancellation(fault, cancel.Token));
        Assert.False(ClusterFaults.EndedByCancellation(new InvalidOperationException("a bug"), cancel.Token));
        cancel.Cancel();
        Assert.True(ClusterFaults.EndedByCancellation(fault, cancel.Token));
        Assert.False(ClusterFaults.EndedByCancellation(new InvalidOperationException("a bug"), cancel.Token));
    }
}
