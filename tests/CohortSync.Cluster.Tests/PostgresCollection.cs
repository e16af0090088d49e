using CohortSync.Testing;

namespace CohortSync.Cluster.Tests;

/// <summary>
/// Every test of this assembly that needs PostgreSQL shares one throwaway server and runs one after
/// another: the database-restart test stops that server, and three silo processes per test are enough for 2 cores.
/// </summary>
[CollectionDefinition(PostgresFixture.Collection)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
