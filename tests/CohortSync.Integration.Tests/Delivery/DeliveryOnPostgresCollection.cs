using CohortSync.Testing;

namespace CohortSync.Integration.Tests.Delivery;

/// <summary>
/// The delivery fault tests on PostgreSQL: one throwaway server for them all, one database per test, one test
/// at a time beside the SQLite runs (which keep a collection per class) and the end-to-end collection.
/// </summary>
[CollectionDefinition(nameof(DeliveryOnPostgresCollection))]
public sealed class DeliveryOnPostgresCollection : ICollectionFixture<PostgresFixture>;
