using CohortSync.Sandbox.Iterable;
using Microsoft.Extensions.Logging;

namespace CohortSync.Sandbox;

/// <summary>How a <see cref="SandboxServer"/> starts.</summary>
public sealed record SandboxOptions
{
    /// <summary>Port on 127.0.0.1; 0 picks a free one (see <see cref="SandboxServer.BaseUrl"/>).</summary>
    public int Port { get; init; }

    /// <summary>Register the demo data at start and after every reset (Iterable key <c>demo-iterable-key</c>).</summary>
    public bool SeedDemo { get; init; }

    /// <summary>Iterable answers 400 BatchTooLarge above this many subscribers in one call.</summary>
    public int MaxSubscribersPerRequest { get; init; } = 1000;

    /// <summary>getUsers and size requests a project may make a minute, each (Iterable: 5); 0: no limit.</summary>
    public int IterableListReadsPerMinute { get; init; } = 5;

    /// <summary>The window those are counted over (a minute, as Iterable's; shorter only to make tests quick).</summary>
    public TimeSpan IterableListReadWindow { get; init; } = TimeSpan.FromMinutes(1);

    public IterableFaults IterableFaults { get; init; } = IterableFaults.None;

    /// <summary>Oldest request-log entries are dropped beyond this many.</summary>
    public int RequestLogCapacity { get; init; } = 100_000;

    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Warning;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
