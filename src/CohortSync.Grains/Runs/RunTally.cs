using CohortSync.Contracts;

namespace CohortSync.Grains.Runs;

/// <summary>
/// The live counters of one run. Written by the run loop, read by status calls on the same activation;
/// <see cref="Snapshot"/> turns it into the immutable record that crosses the wire.
/// </summary>
public sealed class RunTally
{
    public const int RejectedSampleLimit = 20;

    private readonly PhaseClock _clock = new();
    private RunPhase _phase = RunPhase.Starting;

    /// <summary>The current phase; setting it also times the phases (see the *Ms counts).</summary>
    public RunPhase Phase
    {
        get => _phase;
        set
        {
            _clock.Enter(value);
            _phase = value;
        }
    }

    /// <summary>Time spent waiting for Amplitude's cohort job: inside the reading phase, but Amplitude's time, not the engine's.</summary>
    public TimeSpan AmplitudeWait { get; set; }

    public long CohortRows { get; set; }
    public long Skipped { get; set; }
    public long Invalid { get; set; }
    public long Malformed { get; set; }
    public long Desired { get; set; }
    public long PlannedAdds { get; set; }
    public long PlannedRemoves { get; set; }
    private long _added;
    private long _removed;
    private int _requests;
    private int _retries;

    // Counted from every request in flight at once: atomically.
    public long Added => Interlocked.Read(ref _added);
    public long Removed => Interlocked.Read(ref _removed);
    public int Requests => Volatile.Read(ref _requests);
    public int Retries => Volatile.Read(ref _retries);

    public void CountAdded(long members) => Interlocked.Add(ref _added, members);
    public void CountRemoved(long members) => Interlocked.Add(ref _removed, members);
    public void CountRequest() => Interlocked.Increment(ref _requests);
    public void CountRetry() => Interlocked.Increment(ref _retries);

    /// <summary>What was delivered went with a deleted list: the run starts counting again on the new one.</summary>
    public void ForgetDelivered()
    {
        Interlocked.Exchange(ref _added, 0);
        Interlocked.Exchange(ref _removed, 0);
    }
    public long HeldBack { get; set; }
    public long HeldRemovals { get; set; }
    /// <summary>A reconcile's drift: members in the Iterable list the synced set did not have, and the other way round.</summary>
    public long? Extra { get; set; }
    public long? Missing { get; set; }
    public string? Note { get; set; }

    private readonly Dictionary<string, long> _rejected = [];
    private readonly List<string> _rejectedSample = [];

    public void Reject(string reason, IReadOnlyCollection<string> userIds)
    {
        if (userIds.Count == 0) return;
        lock (_rejected)
        {
            _rejected[reason] = _rejected.GetValueOrDefault(reason) + userIds.Count;
            foreach (var id in userIds.Take(RejectedSampleLimit - _rejectedSample.Count)) _rejectedSample.Add($"{reason}:{id}");
        }
    }

    /// <summary>Refusals Iterable counted without naming the members.</summary>
    public void RejectCount(string reason, long count)
    {
        if (count <= 0) return;
        lock (_rejected) _rejected[reason] = _rejected.GetValueOrDefault(reason) + count;
    }

    public RunCounts Snapshot()
    {
        lock (_rejected)
        {
            return new RunCounts
            {
                CohortRows = CohortRows,
                Skipped = Skipped,
                Invalid = Invalid,
                Malformed = Malformed,
                Desired = Desired,
                PlannedAdds = PlannedAdds,
                PlannedRemoves = PlannedRemoves,
                Added = Added,
                Removed = Removed,
                Rejected = new Dictionary<string, long>(_rejected),
                RejectedSample = [.. _rejectedSample],
                Requests = Requests,
                Retries = Retries,
                AmplitudeWaitMs = PhaseClock.Milliseconds(AmplitudeWait),
                ReadMs = PhaseClock.Milliseconds(_clock.Spent(RunPhase.ReadingCohort) - AmplitudeWait),
                DiffMs = PhaseClock.Milliseconds(_clock.Spent(RunPhase.Diffing)),
                PushMs = PhaseClock.Milliseconds(_clock.Spent(RunPhase.PreparingList) + _clock.Spent(RunPhase.Pushing)),
                RecordMs = PhaseClock.Milliseconds(_clock.Spent(RunPhase.Recording)),
                HeldBack = HeldBack,
                HeldRemovals = HeldRemovals,
                Extra = Extra,
                Missing = Missing,
            };
        }
    }
}
