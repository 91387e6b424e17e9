// Distributed mode: workers sharing a group.id form a cluster through Kafka's group coordinator.
export { startDistributed, type DistributedOptions, type DistributedRuntime } from './start-distributed.js';
export { DistributedHerder, type DistributedHerderOptions } from './distributed-herder.js';
export { DistributedConfig, distributedConfigDef } from './distributed-config.js';
export { WorkerGroupMember, type MemberListener, type MemberOptions } from './group-member.js';
export { GroupError, type GroupTransport, type GroupErrorKind } from './group-transport.js';
export { assign, type AssignInput, type AssignmentResult, type AssignorState, type ClusterWork } from './assignor.js';
export * from './protocol.js';
export type { InternalKafka, TopicLog, LogWriter, LogRecord, OutgoingRecord, InternalTopicSpec } from './internal-kafka.js';
