using CohortSync.Grains.Runs;

namespace CohortSync.Grains.Syncs;

/// <summary>
/// The one run a sync's activation may have in flight: its loop, its live tally, its cancellation and why it was
/// cancelled. Lets go of all of them when the loop ends, so a finished run's decrypted keys are not kept alive.
/// </summary>
internal sealed class RunSlot
{
    private Task? _loop;
    private CancellationTokenSource? _cancel;

    public RunTally? Tally { get; private set; }

    public CancelCause Cause { get; private set; }

    /// <summary>A loop is running (it may be past recording its run, tidying up reminders).</summary>
    public bool Busy => _loop is { IsCompleted: false };

    /// <summary>Waits for a loop that is tidying up, so its last steps cannot undo the next run's.</summary>
    public async Task WaitIdleAsync()
    {
        if (!Busy) return;
        try { await _loop!; } catch (Exception) { /* the run itself was recorded; only its tidying failed */ }
    }

    public void Start(Func<RunTally, CancellationToken, Task> loop)
    {
        Tally = new RunTally();
        Cause = default;
        _cancel = new CancellationTokenSource();
        _loop = loop(Tally, _cancel.Token);
    }

    public async Task CancelAsync(CancelCause cause, CancellationToken ct = default)
    {
        if (!Busy) return;
        Cause = cause;
        _cancel!.Cancel();
        try { await _loop!.WaitAsync(ct); } catch (Exception) { /* recorded by the loop */ }
    }

    /// <summary>Called by the loop as its last step; no new run can have started before it.</summary>
    public void Clear()
    {
        _loop = null;
        Tally = null;
        _cancel?.Dispose();
        _cancel = null;
    }
}
