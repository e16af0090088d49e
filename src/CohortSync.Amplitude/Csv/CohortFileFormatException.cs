namespace CohortSync.Amplitude;

/// <summary>The cohort file cannot be read as a cohort CSV at all; nothing from it may be used.</summary>
public sealed class CohortFileFormatException(string message) : Exception(message);
