namespace CohortSync.Amplitude;

/// <summary>What one pass over a cohort file found.</summary>
/// <param name="Rows">Data rows seen (header and blank lines excluded).</param>
/// <param name="Members">Rows whose identity was passed to the sink.</param>
/// <param name="EmptyIdentities">Rows skipped because the identity field was empty.</param>
/// <param name="MalformedRows">Rows skipped because they were not valid CSV for this header.</param>
/// <param name="MalformedByReason">How many malformed rows per reason.</param>
/// <param name="MalformedSamples">The first few malformed rows, for the run record.</param>
public sealed record CohortReadResult(
    long Rows,
    long Members,
    long EmptyIdentities,
    long MalformedRows,
    IReadOnlyDictionary<MalformedRowReason, long> MalformedByReason,
    IReadOnlyList<MalformedRow> MalformedSamples);

public enum MalformedRowReason
{
    /// <summary>The row has more or fewer fields than the header.</summary>
    WrongFieldCount,

    /// <summary>The identity field is not quoted the RFC 4180 way (stray or undoubled quote).</summary>
    BadQuoting,
}

/// <param name="LineNumber">1-based line on which the row starts.</param>
public sealed record MalformedRow(int LineNumber, MalformedRowReason Reason, string Detail);
