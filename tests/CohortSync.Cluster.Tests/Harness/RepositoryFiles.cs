namespace CohortSync.Cluster.Tests.Harness;

/// <summary>Files at the repository root (found from the test's output folder), for the tests of the container setup.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "CohortSync.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("cannot find the repository root (CohortSync.sln) above " + AppContext.BaseDirectory);
    }
}
