using System.Text;
using CohortSync.Core.Members;

namespace CohortSync.Core.Tests.Members;

/// <summary>Member sets to test with, and the slow obvious answers to check the fast code against.</summary>
internal static class Samples
{
    /// <summary>Ordinal order on UTF-8 bytes, the order a <see cref="MemberSet"/> keeps.</summary>
    public static readonly IComparer<string> Utf8Order = Comparer<string>.Create(
        (x, y) => Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)));

    public static List<string> Sorted(IEnumerable<string> members) => members.Distinct().Order(Utf8Order).ToList();

    /// <summary>
    /// Identifiers that share long prefixes, differ only in length, or are prefixes of each other:
    /// the cases an 8-byte sort key gets wrong if it is careless.
    /// </summary>
    public static List<string> Awkward(Random random, int count)
    {
        var prefixes = new[] { "", "a", "user-", "user-0000", "user-00000000-", "crm_", "x@example.com/", "zzzzzzzzzzzzzzzzzzzz" };
        var result = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var prefix = prefixes[random.Next(prefixes.Length)];
            var tailLength = random.Next(0, 20);
            var tail = new char[tailLength];
            for (var k = 0; k < tailLength; k++) tail[k] = (char)random.Next(0x20, 0x7F);
            var id = prefix + new string(tail);
            result.Add(id.Length == 0 ? "0" : id);
        }
        return result;
    }

    public static List<string> Users(int from, int count) => Enumerable.Range(from, count).Select(i => $"user-{i}").ToList();
}
