using CohortSync.Core.Members;

namespace CohortSync.Core.Identity;

/// <summary>
/// Turns the mapped identifier of each cohort row into the desired set, counting what it leaves out.
/// Fed one value per row by the cohort reader.
/// </summary>
public sealed class DesiredSetBuilder(int expectedCount = 1024)
{
    private readonly MemberSetBuilder _members = new(expectedCount);

    public long Rows { get; private set; }
    public long Missing { get; private set; }
    public long Invalid { get; private set; }

    /// <summary>A few invalid values, for the run record (bounded; never secrets, these are user ids).</summary>
    public List<string> InvalidSample { get; } = [];

    public const int SampleLimit = 10;

    public void Accept(ReadOnlySpan<char> value)
    {
        Rows++;
        switch (IdentityRules.Check(value))
        {
            case IdentityVerdict.Valid:
                _members.Add(value);
                break;
            case IdentityVerdict.Missing:
                Missing++;
                break;
            default:
                Invalid++;
                if (InvalidSample.Count < SampleLimit) InvalidSample.Add(value.ToString());
                break;
        }
    }

    public MemberSet Build() => _members.Build();
}
