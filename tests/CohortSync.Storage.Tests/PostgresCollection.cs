using CohortSync.Testing;

namespace CohortSync.Storage.Tests;

/// <summary>Every PostgreSQL test class of this assembly shares one throwaway server.</summary>
[CollectionDefinition(PostgresFixture.Collection)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
