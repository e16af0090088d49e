namespace CohortSync.Integration.Tests;

/// <summary>
/// Tests that read what the whole test process measures: a silo's <c>/metrics</c> counts every "CohortSync"
/// meter in the process, so another in-process silo's runs would show in it. They run alone, after the rest.
/// </summary>
[CollectionDefinition(nameof(AloneInProcessCollection), DisableParallelization = true)]
public sealed class AloneInProcessCollection;
