using System.Security.Cryptography;
using System.Text;

namespace CohortSync.Grains.IterableProjects;

/// <summary>
/// The grain key of an Iterable project: a hash of base URL and API key, so the key itself never appears in a
/// grain key, a log line or the dashboard. Destinations sharing a key share the budget and the list lock.
/// </summary>
public static class IterableProjectKey
{
    public static string For(string iterableUrl, string apiKey)
    {
        var material = Encoding.UTF8.GetBytes(iterableUrl.TrimEnd('/').ToLowerInvariant() + "\n" + apiKey);
        return "iterable-" + Convert.ToHexStringLower(SHA256.HashData(material))[..32];
    }
}
