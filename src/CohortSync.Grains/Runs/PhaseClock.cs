using System.Diagnostics;
using CohortSync.Contracts;

namespace CohortSync.Grains.Runs;

/// <summary>Time spent in each phase of a run, for the run record (the benchmarks read engine time from it).</summary>
internal sealed class PhaseClock
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan[] _spent = new TimeSpan[Enum.GetValues<RunPhase>().Length];
    private readonly Lock _gate = new();
    private RunPhase _current = RunPhase.Starting;
    private TimeSpan _since;

    public void Enter(RunPhase phase)
    {
        lock (_gate)
        {
            var now = _clock.Elapsed;
            _spent[(int)_current] += now - _since;
            (_current, _since) = (phase, now);
        }
    }

    /// <summary>Time in <paramref name="phase"/> so far, the running phase included up to now.</summary>
    public TimeSpan Spent(RunPhase phase)
    {
        lock (_gate)
        {
            return _spent[(int)phase] + (phase == _current ? _clock.Elapsed - _since : TimeSpan.Zero);
        }
    }

    public static long Milliseconds(TimeSpan time) => Math.Max(0, (long)time.TotalMilliseconds);
}
