// Distributed mode: workers sharing a group.id form a cluster through Kafka's group coordinator.
export { startDistributed, type DistributedOptions, type DistributedRuntime } from './start-distributed.js';
export { DistributedHerder, type DistributedHerderOptions } from './distributed-herder.js';
export { DistributedConfig, distributedConfigDef } from './distributed-config.js';
