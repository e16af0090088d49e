namespace CohortSync.Amplitude;

/// <summary>Receives the identity of each cohort member as the CSV is read.</summary>
/// <remarks>
/// The span points into the reader's buffer and is only valid during the call:
/// copy it (or intern it into a member set) before returning.
/// </remarks>
public interface IMemberSink
{
    void Accept(ReadOnlySpan<char> identity);
}
