using CohortSync.Contracts;
using Microsoft.Extensions.Options;

namespace CohortSync.Grains.Runs;

/// <summary>
/// Bounds how many large runs one silo holds at once. A run's memory grows with its cohort (about 150 bytes a
/// member at its peak, 300 MB for 2 million), so ten big runs landing on one silo would need ten times that;
/// past <see cref="SyncEngineOptions.MaxConcurrentLargeRuns"/> a large run waits (phase <c>waitingForSlot</c>)
/// before it downloads anything. Small runs never wait.
/// </summary>
public sealed class LargeRunSlots(IOptions<SyncEngineOptions> options)
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrentLargeRuns));

    /// <summary>Large runs holding a slot right now.</summary>
    public int InUse => Math.Max(1, options.Value.MaxConcurrentLargeRuns) - _slots.CurrentCount;

    /// <summary>
    /// Takes a slot for a cohort of <paramref name="members"/> if it counts as large, waiting (and saying so in the
    /// tally) while every slot is taken. Dispose the result to give the slot back; null for a small run.
    /// </summary>
    public async Task<IDisposable?> EnterAsync(long members, RunTally tally, CancellationToken ct)
    {
        if (members < options.Value.LargeRunMembers) return null;
        if (!_slots.Wait(0))
        {
            var phase = tally.Phase;
            tally.Phase = RunPhase.WaitingForSlot;
            await _slots.WaitAsync(ct);
            tally.Phase = phase;
        }
        // Alone among large runs: what the previous ones left (hundreds of MB of arenas) is garbage now. Hand it back
        // before this run builds its own sets, so a silo's peak is one run's sets rather than two runs' worth.
        if (InUse == 1) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return new Slot(_slots);
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
