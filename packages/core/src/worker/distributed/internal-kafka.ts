import type { GroupTransport } from './group-transport.js';

// What distributed mode needs from Kafka beyond the engine's client port: its internal topics
// (created compacted and checked), a reader that replays a whole topic and knows when it has caught
// up with it (Kafka Connect's KafkaBasedLog), writers (a transactional one for the leader's config
// writes, so that a new leader fences a stale one), and the group coordinator. The kafkajs
// implementation is ./kafkajs/internal-kafka.ts; unit tests use in-memory fakes.

export interface LogRecord {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly partition: number;
  readonly offset: number;
}

export interface OutgoingRecord {
  readonly key: string;
  /** null writes a tombstone. */
  readonly value: Buffer | null;
}

/** An internal topic replayed from its beginning by this worker alone. */
export interface TopicLog {
  /** Starts reading from the beginning and resolves once caught up with the topic's end. */
  start(timeoutMs: number): Promise<void>;
  /** Resolves once everything written before the call was handed to the record callback. */
  readToEnd(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface LogWriter {
  /** Writes the records in order; a fenced writer writes them atomically (one transaction). */
  send(records: readonly OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface InternalTopicSpec {
  readonly topic: string;
  /** The worker key that names the topic, for error messages (e.g. `config.storage.topic`). */
  readonly property: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Kafka Connect requires the config topic to have exactly one partition. */
  readonly singlePartition: boolean;
}

export interface InternalKafka {
  /** Creates missing topics compacted; throws ConfigException for an existing topic that is not compacted. */
  ensureTopics(specs: readonly InternalTopicSpec[]): Promise<void>;
  /** `onCrash` is told when the reader stopped for good (it is not restarted by itself). */
  openLog(
    topic: string,
    onRecords: (records: readonly LogRecord[]) => void,
    onCrash?: (error: Error) => void,
  ): TopicLog;
  writer(topic: string): Promise<LogWriter>;
  /**
   * A transactional writer: opening it bumps the producer epoch of `transactionalId`, so any earlier
   * holder's next write fails. Its `send` throws FencedWriterError once someone else opened one.
   * Throws TransactionsUnavailableError when the brokers refuse transactions to this worker.
   */
  fencedWriter(topic: string, transactionalId: string): Promise<LogWriter>;
  groupTransport(groupId: string): GroupTransport;
  clusterId(): Promise<string | null>;
  close(): Promise<void>;
}

/** Another worker took over config writes (it became leader): this one must not write any more. */
export class FencedWriterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FencedWriterError';
  }
}

/** The brokers do not offer transactions to this worker (unsupported, or not allowed by ACLs). */
export class TransactionsUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransactionsUnavailableError';
  }
}
