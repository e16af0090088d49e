using CohortSync.Grains.Runs;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>Permits that are always granted, counted: how many were taken and how many are held right now.</summary>
public sealed class FakeDownloadPermits : IDownloadPermits
{
    private int _held;

    public int Entered { get; private set; }

    public int Held => Volatile.Read(ref _held);

    public Task<IAsyncDisposable> EnterAsync(string projectId, RunTally tally, CancellationToken ct)
    {
        Entered++;
        Interlocked.Increment(ref _held);
        return Task.FromResult<IAsyncDisposable>(new Permit(this));
    }

    private sealed class Permit(FakeDownloadPermits owner) : IAsyncDisposable
    {
        private int _returned;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0) Interlocked.Decrement(ref owner._held);
            return ValueTask.CompletedTask;
        }
    }
}
