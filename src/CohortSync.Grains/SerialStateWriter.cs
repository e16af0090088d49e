namespace CohortSync.Grains;

/// <summary>
/// Writes a grain's state one write at a time. A grain whose calls interleave, or whose background run writes while a
/// call does, would otherwise send two writes with the same ETag, and the second would fail as if another activation
/// had written.
/// </summary>
internal sealed class SerialStateWriter<T>(IPersistentState<T> state)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task WriteAsync()
    {
        await _gate.WaitAsync();
        try { await state.WriteStateAsync(); }
        finally { _gate.Release(); }
    }
}
