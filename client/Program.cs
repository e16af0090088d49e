using CohortSync.Client.Cli;
using CohortSync.Client.Cluster;

// cohortsync: a thin Orleans client over the CohortSync cluster's gateways.
//   Cli/       the command tree, error-to-exit-code mapping, the process environment
//   Commands/  project, destination and sync commands
//   Input/     local validation, gateway addresses, secrets from the environment or stdin
//   Cluster/   connecting to the gateways (or to any grain factory, for tests)
//   Output/    text tables and blocks, JSON documents
//   Waiting/   polling a sync until a run finishes
var environment = CliEnvironment.FromProcess();
var connector = new OrleansClusterConnector(ClusterIdentity.FromEnvironment(environment));
return await new CohortSyncCli(environment, connector).RunAsync(args);
