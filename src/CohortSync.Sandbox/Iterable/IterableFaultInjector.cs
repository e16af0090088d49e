namespace CohortSync.Sandbox.Iterable;

/// <summary>The fault a request drew, if any.</summary>
internal enum IterableFault
{
    None,
    RateLimitBurst,
    RateLimit,
    ServerErrorBurst,
    ServerError,
    ProjectRateLimit,
}

/// <summary>Decides, request by request, which configured fault (if any) answers instead of the endpoint.</summary>
internal sealed class IterableFaultInjector
{
    private readonly Lock _gate = new();
    private IterableFaults _faults = IterableFaults.None;
    private int _rateLimitBurstLeft;
    private int _serverErrorBurstLeft;
    private Random _random = new();

    public IterableFaultInjector(IterableFaults faults) => Configure(faults);

    public IterableFaults Current
    {
        get
        {
            lock (_gate)
            {
                return _faults;
            }
        }
    }

    public (int RateLimitBurstLeft, int ServerErrorBurstLeft) BurstsLeft
    {
        get
        {
            lock (_gate)
            {
                return (_rateLimitBurstLeft, _serverErrorBurstLeft);
            }
        }
    }

    public void Configure(IterableFaults faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        var problems = faults.Problems().ToArray();
        if (problems.Length > 0)
        {
            throw new ArgumentException("Invalid faults: " + string.Join("; ", problems), nameof(faults));
        }

        lock (_gate)
        {
            _faults = faults;
            _rateLimitBurstLeft = faults.RateLimitBurst;
            _serverErrorBurstLeft = faults.ServerErrorBurst;
            _random = faults.Seed is { } seed ? new Random(seed) : new Random();
        }
    }

    /// <summary>Draws the fault for one request; <paramref name="project"/> is null when the key was not recognised.</summary>
    public IterableFault Draw(bool isWrite, IterableProject? project)
    {
        IterableFaults faults;
        lock (_gate)
        {
            faults = _faults;
            if (!faults.WritesOnly || isWrite)
            {
                if (_rateLimitBurstLeft > 0)
                {
                    _rateLimitBurstLeft--;
                    return IterableFault.RateLimitBurst;
                }

                if (_serverErrorBurstLeft > 0)
                {
                    _serverErrorBurstLeft--;
                    return IterableFault.ServerErrorBurst;
                }

                // Both draws happen on every request so that one switch does not shift the other's sequence.
                var rateLimitDraw = _random.NextDouble() * 100;
                var serverErrorDraw = _random.NextDouble() * 100;
                if (rateLimitDraw < faults.RateLimitPercent)
                {
                    return IterableFault.RateLimit;
                }

                if (serverErrorDraw < faults.ServerErrorPercent)
                {
                    return IterableFault.ServerError;
                }
            }
        }

        if (project is not null && faults.RequestsPerSecondPerProject > 0 && !project.TryTakeRateToken(faults.RequestsPerSecondPerProject))
        {
            return IterableFault.ProjectRateLimit;
        }

        return IterableFault.None;
    }
}
