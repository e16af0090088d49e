using System.Collections.Concurrent;

namespace CohortSync.Storage.Tests.Orleans;

public interface IProbeGrain : IGrainWithStringKey
{
    Task<int> GetCounterAsync();
    Task IncrementAsync();
    Task StartReminderAsync(TimeSpan period);
    Task StopReminderAsync();
}

/// <summary>Persisted state of the probe: nested types too, as the real grains will have.</summary>
[GenerateSerializer, Alias("cohortsync.tests.probe-state")]
public sealed class ProbeState
{
    [Id(0)] public int Counter { get; set; }
    [Id(1)] public List<ProbeNote> Notes { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("cohortsync.tests.probe-note")]
public sealed record ProbeNote([property: Id(0)] int Counter, [property: Id(1)] DateTimeOffset At);

/// <summary>A grain with ADO.NET-persisted state and an ADO.NET-stored reminder that reports its ticks.</summary>
public sealed class ProbeGrain([PersistentState("probe", TestSilo.StorageName)] IPersistentState<ProbeState> state)
    : Grain, IProbeGrain, IRemindable
{
    public const string ReminderName = "probe-tick";

    public Task<int> GetCounterAsync() => Task.FromResult(state.State.Counter);

    public async Task IncrementAsync()
    {
        state.State.Counter++;
        state.State.Notes.Add(new ProbeNote(state.State.Counter, DateTimeOffset.UtcNow));
        await state.WriteStateAsync();
    }

    public async Task StartReminderAsync(TimeSpan period) =>
        await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromSeconds(1), period);

    public async Task StopReminderAsync()
    {
        var reminder = await this.GetReminder(ReminderName);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ReminderTicks.Signal(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }
}

/// <summary>Lets a test await the next reminder tick of a probe (the silo runs in the test process).</summary>
public static class ReminderTicks
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Waiting = new();

    /// <summary>A task that completes at the first tick of <paramref name="grainKey"/> after this call.</summary>
    public static Task NextAsync(string grainKey) =>
        Waiting.AddOrUpdate(grainKey,
            _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
            (_, _) => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    internal static void Signal(string grainKey)
    {
        if (Waiting.TryRemove(grainKey, out var tick)) tick.TrySetResult();
    }
}
