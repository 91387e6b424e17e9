import { ConfigDef, validators } from '../../config/def.js';
import { ConfigException } from '../../errors.js';
import { workerConfigDef, WorkerConfig } from '../worker-config.js';

// Kafka Connect's DistributedConfig keys, on top of the worker keys both modes share. Defaults are
// Kafka Connect's, except that replication factors of -1 (the broker's default) are accepted as in
// Kafka Connect 2.4+.

const replicationFactor = (name: string, what: string) => ({
  name,
  type: 'INT' as const,
  default: 3,
  importance: 'LOW' as const,
  doc: `Replication factor of the ${what} topic when it is created; -1 uses the broker's default.`,
  validator: (v: unknown) => {
    if (typeof v === 'number' && v !== -1 && v < 1) throw new Error('Value must be -1 or at least 1');
  },
});

export const distributedConfigDef = new ConfigDef()
  .define({
    name: 'group.id',
    type: 'STRING',
    importance: 'HIGH',
    doc: 'The cluster this worker belongs to: every worker with the same group.id shares connectors and tasks.',
    validator: validators.nonEmptyString(),
  })
  .define({
    name: 'config.storage.topic',
    type: 'STRING',
    importance: 'HIGH',
    doc: 'Compacted topic holding connector configs, task configs and target states (one partition).',
    validator: validators.nonEmptyString(),
  })
  .define(replicationFactor('config.storage.replication.factor', 'config'))
  .define({
    name: 'offset.storage.topic',
    type: 'STRING',
    importance: 'HIGH',
    doc: 'Compacted topic for source connector offsets (created and checked; sink offsets live in consumer groups).',
    validator: validators.nonEmptyString(),
  })
  .define({
    name: 'offset.storage.partitions',
    type: 'INT',
    default: 25,
    importance: 'LOW',
    doc: 'Partitions of the offset topic when it is created.',
    validator: validators.atLeast(1),
  })
  .define(replicationFactor('offset.storage.replication.factor', 'offset'))
  .define({
    name: 'status.storage.topic',
    type: 'STRING',
    importance: 'HIGH',
    doc: 'Compacted topic holding connector and task statuses, written by the worker running each.',
    validator: validators.nonEmptyString(),
  })
  .define({
    name: 'status.storage.partitions',
    type: 'INT',
    default: 5,
    importance: 'LOW',
    doc: 'Partitions of the status topic when it is created.',
    validator: validators.atLeast(1),
  })
  .define(replicationFactor('status.storage.replication.factor', 'status'))
  .define({
    name: 'session.timeout.ms',
    type: 'INT',
    default: 10000,
    importance: 'HIGH',
    doc: 'A worker that sends no heartbeat for this long is removed from the group and its work reassigned.',
    validator: validators.atLeast(1),
  })
  .define({
    name: 'heartbeat.interval.ms',
    type: 'INT',
    default: 3000,
    importance: 'HIGH',
    doc: 'How often a worker heartbeats to the group coordinator; keep it at most a third of session.timeout.ms.',
    validator: validators.atLeast(1),
  })
  .define({
    name: 'rebalance.timeout.ms',
    type: 'INT',
    default: 60000,
    importance: 'MEDIUM',
    doc: 'How long the coordinator waits for every worker to rejoin (stopping revoked tasks included).',
    validator: validators.atLeast(1),
  })
  .define({
    name: 'scheduled.rebalance.max.delay.ms',
    type: 'INT',
    default: 300000,
    importance: 'LOW',
    doc: 'How long the work of a worker that vanished is held for it before it is reassigned; 0 reassigns at once.',
    validator: validators.atLeast(0),
  })
  .define({
    name: 'worker.sync.timeout.ms',
    type: 'INT',
    default: 3000,
    importance: 'MEDIUM',
    doc: 'How long a worker may take to read the config topic up to the offset of its assignment.',
    validator: validators.atLeast(1),
  })
  .define({
    name: 'worker.unsync.backoff.ms',
    type: 'INT',
    default: 300000,
    importance: 'MEDIUM',
    doc: 'How long a worker that could not catch up with the config topic waits before it rejoins.',
    validator: validators.atLeast(0),
  })
  .define({
    name: 'connect.protocol',
    type: 'STRING',
    default: 'sessioned',
    importance: 'LOW',
    doc:
      'Accepted for compatibility with Kafka Connect worker files; only `compatible` and `sessioned` are accepted. ' +
      'Sluice always rebalances incrementally and cooperatively (as Kafka Connect does with these two), with its ' +
      'own protocol name, so Sluice and Kafka Connect workers cannot share a group.id. `eager` is refused.',
    validator: validators.oneOf(['compatible', 'sessioned']),
  })
  .define({
    name: 'exactly.once.source.support',
    type: 'STRING',
    default: 'disabled',
    importance: 'HIGH',
    doc:
      'With `enabled`, the leader must write the config topic with a transactional producer (so a new leader ' +
      'fences a stale one), and a worker whose brokers refuse transactions stops with an error. Otherwise a ' +
      'transactional producer is used where the brokers offer one, and a plain producer where they refuse it.',
    validator: validators.oneOf(['disabled', 'preparing', 'enabled']),
  });

export class DistributedConfig {
  readonly worker: WorkerConfig;
  readonly groupId: string;
  readonly configTopic: string;
  readonly offsetTopic: string;
  readonly statusTopic: string;
  readonly configReplicationFactor: number;
  readonly offsetPartitions: number;
  readonly offsetReplicationFactor: number;
  readonly statusPartitions: number;
  readonly statusReplicationFactor: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly scheduledRebalanceMaxDelayMs: number;
  readonly workerSyncTimeoutMs: number;
  readonly workerUnsyncBackoffMs: number;
  /** `exactly.once.source.support=enabled`: the leader's config writer must be transactional. */
  readonly transactionalConfigWriterRequired: boolean;

  constructor(props: Record<string, string>) {
    this.worker = new WorkerConfig(props);
    const p = distributedConfigDef.parse(props);
    this.groupId = p['group.id'] as string;
    this.configTopic = p['config.storage.topic'] as string;
    this.offsetTopic = p['offset.storage.topic'] as string;
    this.statusTopic = p['status.storage.topic'] as string;
    this.configReplicationFactor = p['config.storage.replication.factor'] as number;
    this.offsetPartitions = p['offset.storage.partitions'] as number;
    this.offsetReplicationFactor = p['offset.storage.replication.factor'] as number;
    this.statusPartitions = p['status.storage.partitions'] as number;
    this.statusReplicationFactor = p['status.storage.replication.factor'] as number;
    this.sessionTimeoutMs = p['session.timeout.ms'] as number;
    this.heartbeatIntervalMs = p['heartbeat.interval.ms'] as number;
    this.rebalanceTimeoutMs = p['rebalance.timeout.ms'] as number;
    this.scheduledRebalanceMaxDelayMs = p['scheduled.rebalance.max.delay.ms'] as number;
    this.workerSyncTimeoutMs = p['worker.sync.timeout.ms'] as number;
    this.workerUnsyncBackoffMs = p['worker.unsync.backoff.ms'] as number;
    this.transactionalConfigWriterRequired = p['exactly.once.source.support'] === 'enabled';

    if (this.heartbeatIntervalMs >= this.sessionTimeoutMs) {
      throw new ConfigException(
        'heartbeat.interval.ms',
        `${this.heartbeatIntervalMs} must be lower than session.timeout.ms (${this.sessionTimeoutMs})`,
      );
    }
    const topics = [
      ['config.storage.topic', this.configTopic],
      ['offset.storage.topic', this.offsetTopic],
      ['status.storage.topic', this.statusTopic],
    ] as const;
    for (const [i, [key, topic]] of topics.entries()) {
      const clash = topics.find(([, other], j) => j !== i && other === topic);
      if (clash)
        throw new ConfigException(
          key,
          `'${topic}' is also used as ${clash[0]}; each internal topic needs its own name`,
        );
    }
  }

  /** Kafka Connect's transactional id for the leader's config-topic writes: a new leader fences the old. */
  get transactionalId(): string {
    return `connect-cluster-${this.groupId}`;
  }
}

/** Every key a distributed worker accepts, for masking secrets in the startup log. */
export const distributedWorkerConfigDef = workerConfigDef.merge(distributedConfigDef);
