using System.Security.Cryptography;
using System.Text;

namespace CohortSync.Grains.Projects;

/// <summary>
/// A project's webhook token: 32 random bytes, base64url without padding (43 characters). The project keeps the
/// token's SHA-256 only; the silo hashes what a request presents and the project compares the two in constant time.
/// </summary>
public static class WebhookToken
{
    public const int EntropyBytes = 32;

    /// <summary>The URL path Amplitude posts the project's batches to.</summary>
    public static string PathFor(string projectId) => $"/webhooks/amplitude/{projectId}";

    public static string New()
    {
        Span<byte> random = stackalloc byte[EntropyBytes];
        RandomNumberGenerator.Fill(random);
        return Convert.ToBase64String(random).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static bool Matches(byte[]? stored, byte[]? presented) =>
        stored is { Length: > 0 } && presented is not null && CryptographicOperations.FixedTimeEquals(stored, presented);
}
