using System.Text;
using CohortSync.Core.Members;

namespace CohortSync.Benchmarks;

public enum IdShape
{
    /// <summary><c>user-0</c> … <c>user-1999999</c>, as the sandbox generates them: long shared prefixes.</summary>
    Sequential,

    /// <summary>Random 36-character UUIDs: no shared prefixes at all.</summary>
    Uuid,
}

/// <summary>Deterministic cohorts of the benchmark's size, in the order a cohort file lists them (not sorted).</summary>
internal static class Cohorts
{
    public const int Size = 2_000_000;

    /// <summary>Members that leave (and as many that enter) in the 1%-churn cohort: 0.5% each way.</summary>
    public const int ChurnEachWay = 10_000;

    public static string[] Ids(IdShape shape, int count = Size, int from = 0)
    {
        var random = new Random(42 + from);
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = shape == IdShape.Sequential ? $"user-{from + i}" : NewUuid(random);
        }
        return ids;
    }

    /// <summary>The cohort with every 200th member gone and <see cref="ChurnEachWay"/> new ones appended.</summary>
    public static string[] Churned(string[] ids, IdShape shape)
    {
        var kept = ids.Where((_, i) => i % (ids.Length / ChurnEachWay) != 7);
        return [.. kept, .. Ids(shape, ChurnEachWay, ids.Length)];
    }

    public static MemberSet Set(IEnumerable<string> ids) => MemberSet.From(ids);

    /// <summary>The file Amplitude serves: every field quoted, amplitude_id first.</summary>
    public static byte[] Csv(string[] ids)
    {
        var text = new StringBuilder(ids.Length * 32);
        text.Append("\"amplitude_id\",\"user_id\"\n");
        for (var i = 0; i < ids.Length; i++)
        {
            text.Append('"').Append(1_000_000_000L + i).Append("\",\"").Append(ids[i]).Append("\"\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string NewUuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }
}
