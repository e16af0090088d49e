using Xunit;

namespace CohortSync.Iterable.Tests.Contract;

/// <summary>
/// A fact that needs Iterable's official OpenAPI document: reported as skipped, with the reason, when the
/// document is not on this machine (decided when tests are discovered).
/// </summary>
public sealed class OfficialDocumentFactAttribute : FactAttribute
{
    public OfficialDocumentFactAttribute()
    {
        if (IterableOpenApiDocument.LocateOfficial() is null)
        {
            Skip = "Iterable's official document not found (set COHORTSYNC_SHARED_DIR or place shared/ beside the repository)";
        }
    }
}
