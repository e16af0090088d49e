namespace CohortSync.Sandbox.Iterable;

/// <summary>Per-user conditions an operator can give a project's users, each making Iterable refuse them.</summary>
public enum IterableUserMark
{
    /// <summary>GDPR-forgotten: reported in forgottenUserIds, never added.</summary>
    Forgotten,

    /// <summary>An identity conflict: reported in conflictUserIds, never added.</summary>
    Conflict,

    /// <summary>Bad profile data: reported in invalidDataUserIds, never added.</summary>
    InvalidData,

    /// <summary>An identifier Iterable's own validation refuses though it looks fine: reported in invalidUserIds, never added.</summary>
    Invalid,
}
