namespace CohortSync.Iterable.Tests;

/// <summary>A clock that moves only when told, so rate-limit tests do not depend on how fast the machine is.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private long _elapsedTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => start + TimeSpan.FromTicks(Interlocked.Read(ref _elapsedTicks));

    public override long GetTimestamp() => Interlocked.Read(ref _elapsedTicks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _elapsedTicks, by.Ticks);
}
