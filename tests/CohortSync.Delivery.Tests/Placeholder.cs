namespace CohortSync.Delivery.Tests;
