namespace CohortSync.Cluster.Tests;
