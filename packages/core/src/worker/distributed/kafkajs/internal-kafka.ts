import kafkajs, { type Admin, type Cluster, type Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { ConfigException } from '../../../errors.js';
import type { WorkerConfig } from '../../worker-config.js';
import type { GroupTransport } from '../group-transport.js';
import type { InternalKafka, InternalTopicSpec, LogRecord, LogWriter, TopicLog } from '../internal-kafka.js';
import { kafkaJsFor } from './clients.js';
import { KafkaJsGroupTransport } from './group-transport.js';
import { retryRetriable } from './retry-retriable.js';
import { KafkaJsTopicLog } from './topic-log.js';
import { KafkaJsFencedWriter, KafkaJsLogWriter } from './writers.js';

// kafkajs is CommonJS and Node cannot see this enum as a named export.
const { ConfigResourceTypes } = kafkajs;

// Distributed mode's own Kafka traffic over kafkajs: internal topics, their readers and writers, and
// the group coordinator. One admin client serves the topic checks, end offsets and the cluster id.
// Their requests retry retriable broker answers (a just-created topic without a leader yet).

/** How long a start-up request keeps retrying retriable answers. */
const RETRY_TIMEOUT_MS = 30_000;

export class KafkaJsInternalKafka implements InternalKafka {
  private readonly admin: Admin;
  private adminConnected: Promise<void> | null = null;
  private readonly closers: (() => Promise<void>)[] = [];
  /** A read_uncommitted view of the brokers, for log end offsets (see endOffsets). */
  private endOffsetsCluster: Cluster | null = null;
  private endOffsetsConnected: Promise<void> | null = null;

  constructor(
    private readonly config: WorkerConfig,
    private readonly clientIdPrefix: string,
    private readonly logger: Logger,
  ) {
    this.admin = this.kafka('admin', 'internal-admin').admin();
  }

  ensureTopics(specs: readonly InternalTopicSpec[]): Promise<void> {
    return retryRetriable(() => this.ensureTopicsOnce(specs), {
      what: 'Checking the internal topics',
      timeoutMs: RETRY_TIMEOUT_MS,
      logger: this.logger,
    });
  }

  private async ensureTopicsOnce(specs: readonly InternalTopicSpec[]): Promise<void> {
    const admin = await this.connectedAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((s) => ({
            topic: s.topic,
            numPartitions: s.singlePartition ? 1 : s.partitions,
            replicationFactor: s.replicationFactor,
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          })),
        });
        for (const s of missing)
          this.logger.info(
            { topic: s.topic },
            `Created internal topic ${s.topic} (${s.property}), compacted`,
          );
      } catch (e) {
        if (!isTopicExists(e)) {
          const rf = missing
            .map((s) => `${s.property.replace(/topic$/, 'replication.factor')}=${s.replicationFactor}`)
            .join(', ');
          throw new ConfigException(
            missing[0]!.property,
            `could not create internal topic(s) ${missing.map((s) => s.topic).join(', ')}: ${(e as Error).message}. ` +
              `With fewer brokers than the replication factor (${rf}) lower it, e.g. to 1 on a single-broker cluster.`,
          );
        }
      }
    }
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: specs.map((s) => ({
        type: ConfigResourceTypes.TOPIC,
        name: s.topic,
        configNames: ['cleanup.policy'],
      })),
    });
    for (const s of specs) {
      const policy =
        resources
          .find((r) => r.resourceName === s.topic)
          ?.configEntries.find((c) => c.configName === 'cleanup.policy')?.configValue ?? '';
      if (
        !policy
          .split(',')
          .map((p) => p.trim())
          .includes('compact') ||
        policy.includes('delete')
      ) {
        throw new ConfigException(
          s.property,
          `Topic '${s.topic}' supplied via the '${s.property}' property is required to have 'cleanup.policy=compact' ` +
            `to keep connector configurations and statuses, but it has 'cleanup.policy=${policy}'. Continuing would ` +
            `eventually lose them. Use a compacted topic, or alter it: kafka-configs --alter --entity-type topics ` +
            `--entity-name ${s.topic} --add-config cleanup.policy=compact`,
        );
      }
      if (s.singlePartition) {
        const { topics } = await admin.fetchTopicMetadata({ topics: [s.topic] });
        const partitions = topics[0]?.partitions.length ?? 0;
        if (partitions !== 1) {
          throw new ConfigException(
            s.property,
            `Topic '${s.topic}' supplied via the '${s.property}' property is required to have a single partition ` +
              `to keep connector configurations in order, but it has ${partitions}. Use a new topic with one partition.`,
          );
        }
      }
    }
  }

  openLog(
    topic: string,
    onRecords: (records: readonly LogRecord[]) => void,
    onCrash?: (error: Error) => void,
  ): TopicLog {
    const log = new KafkaJsTopicLog(
      this.kafka('consumer', `${topic}-reader`),
      () => this.endOffsets(topic),
      topic,
      onRecords,
      this.logger,
      `${this.clientIdPrefix}-${topic}-reader`,
      onCrash,
    );
    this.closers.push(() => log.stop());
    return log;
  }

  async writer(topic: string): Promise<LogWriter> {
    const writer = await KafkaJsLogWriter.open(this.kafka('producer', `${topic}-writer`), topic);
    this.closers.push(() => writer.close());
    return writer;
  }

  fencedWriter(topic: string, transactionalId: string): Promise<LogWriter> {
    return KafkaJsFencedWriter.open(this.kafka('producer', `${topic}-leader-writer`), topic, transactionalId);
  }

  groupTransport(groupId: string): GroupTransport {
    return new KafkaJsGroupTransport(this.kafka('consumer', 'group-member'), groupId);
  }

  async clusterId(): Promise<string | null> {
    const admin = await this.connectedAdmin();
    return (await admin.describeCluster()).clusterId;
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close().catch(() => undefined);
    if (this.adminConnected) await this.admin.disconnect().catch(() => undefined);
  }

  /**
   * The high watermark of each partition. Not the last stable offset the admin client reports: right
   * after a transaction commits its markers may not be written yet, so the LSO can still be short of
   * the records just written. Reading up to the high watermark with a read_committed reader waits for
   * them instead.
   */
  private endOffsets(topic: string): Promise<{ partition: number; high: string }[]> {
    return retryRetriable(() => this.endOffsetsOnce(topic), {
      what: `Reading the end offsets of ${topic}`,
      timeoutMs: RETRY_TIMEOUT_MS,
      logger: this.logger,
      // NOT_LEADER_FOR_PARTITION / LEADER_NOT_AVAILABLE: the leader changed or is being elected.
      beforeRetry: async () => this.endOffsetsCluster?.refreshMetadata(),
    });
  }

  private async endOffsetsOnce(topic: string): Promise<{ partition: number; high: string }[]> {
    if (!this.endOffsetsConnected) {
      this.kafka('consumer', 'end-offsets').consumer({
        groupId: `${this.clientIdPrefix}-end-offsets`,
        readUncommitted: true,
        partitionAssigners: [
          ({ cluster }) => {
            this.endOffsetsCluster = cluster;
            return {
              name: 'unused',
              version: 0,
              assign: async () => [],
              protocol: () => ({ name: 'unused', metadata: Buffer.alloc(0) }),
            };
          },
        ],
      });
      const cluster = this.endOffsetsCluster!;
      this.endOffsetsConnected = cluster.connect();
      this.endOffsetsConnected.catch(() => (this.endOffsetsConnected = null));
      this.closers.push(() => cluster.disconnect());
    }
    await this.endOffsetsConnected;
    const cluster = this.endOffsetsCluster!;
    await cluster.addTargetTopic(topic);
    await cluster.refreshMetadataIfNecessary();
    const partitions = cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId }));
    const [result] = await cluster.fetchTopicsOffset([{ topic, fromBeginning: false, partitions }]);
    return (result?.partitions ?? []).map((p) => ({ partition: p.partition, high: p.offset }));
  }

  private kafka(role: 'consumer' | 'producer' | 'admin', name: string): Kafka {
    return kafkaJsFor(this.config, role, `${this.clientIdPrefix}-${name}`, this.logger);
  }

  private async connectedAdmin(): Promise<Admin> {
    if (!this.adminConnected) {
      this.adminConnected = this.admin.connect();
      this.adminConnected.catch(() => (this.adminConnected = null));
    }
    await this.adminConnected;
    return this.admin;
  }
}

function isTopicExists(e: unknown): boolean {
  const err = e as { type?: string; errors?: { type?: string }[] };
  return (
    err.type === 'TOPIC_ALREADY_EXISTS' ||
    (err.errors?.length ? err.errors.every((x) => x.type === 'TOPIC_ALREADY_EXISTS') : false)
  );
}
