// The Kafka client port: what the sink engine, the DLQ and the worker need from a Kafka client, with
// no client library's types in it. The kafkajs adapter (./kafkajs) implements it; unit tests use an
// in-memory fake. Offsets are JS numbers: exact up to 2^53, far beyond any real partition.

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export interface TopicPartitionOffset extends TopicPartitionRef {
  /** For commits: the next offset to consume (Kafka's convention). */
  readonly offset: number;
}

export interface RawHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

export interface FetchedMessage {
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Epoch ms; -1 when the record carries none. */
  readonly timestamp: number;
  readonly timestampType: 'NoTimestampType' | 'CreateTime' | 'LogAppendTime';
  readonly headers: readonly RawHeader[];
}

/** Messages of one partition from one fetch, in offset order. */
export interface FetchedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly FetchedMessage[];
  /** The partition's log end offset as the broker reported it with this fetch. */
  readonly highWatermark: number;
  /** Offset after the last entry of the batch (control records included), i.e. the next fetch position. */
  readonly nextOffset: number;
  /** The position the fetch started from (records before it, e.g. of a compressed set, are left out). */
  readonly fetchedOffset?: number;
  /**
   * How many seeks of this partition the adapter had applied when the batch was fetched, so that a
   * layer on top can recognise batches from before a seek of its own.
   */
  readonly seekEpoch?: number;
}

/** What the engine can do while it handles one batch. */
export interface BatchControl {
  /**
   * Keeps the group membership alive during long work. Never throws: a rebalance noticed here is
   * remembered by the adapter and acted on (revocation callback, rejoin) once the batch handler returns.
   */
  heartbeat(): Promise<void>;
  /** True once the group started rebalancing; the handler should finish what it started and return. */
  rebalancing(): boolean;
  /** The next fetch of this partition starts at `nextOffset` (records after it are fetched again). */
  resolve(nextOffset: number): void;
}

export interface ConsumerHandlers {
  /** The complete new assignment after each group join, before any of its batches is handled. */
  onPartitionsAssigned(partitions: readonly TopicPartitionRef[]): Promise<void>;
  /**
   * Called when a rebalance starts, before the group is rejoined, with the partitions held until now.
   * Best effort: see the adapter for the cases a client library cannot report in time.
   */
  onPartitionsRevoked(partitions: readonly TopicPartitionRef[]): Promise<void>;
  /**
   * One partition's batch. Batches are handed over one at a time (the next waits for this promise),
   * in offset order per partition; the adapter may fetch ahead meanwhile, within a bounded buffer.
   * A handler that returns without resolving the whole batch gets the partition fetched again from
   * the last offset it resolved.
   */
  onBatch(batch: FetchedBatch, control: BatchControl): Promise<void>;
  /** The consumer stopped on an error it could not recover from. */
  onCrash(error: Error): void;
  /**
   * The group coordinator confirmed this member (heartbeat answered, group joined); unless confirmed
   * again, the membership is in doubt after `expiresAt` (epoch ms). For adapters that pass batches
   * on to another holder (the consumer thread), which must not deliver them once it is in doubt.
   */
  onSessionConfirmed?(expiresAt: number): void;
}

export type Subscription = { readonly topics: readonly string[] } | { readonly pattern: RegExp };

export interface KafkaConsumer {
  connect(): Promise<void>;
  subscribe(subscription: Subscription): Promise<void>;
  /** Starts the fetch loop; resolves once it runs. Batches then arrive through `handlers.onBatch`. */
  run(handlers: ConsumerHandlers): Promise<void>;
  pause(partitions: readonly TopicPartitionRef[]): void;
  resume(partitions: readonly TopicPartitionRef[]): void;
  /** The next fetch of the partition starts at `offset`. */
  seek(partition: TopicPartitionOffset): void;
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  assignment(): readonly TopicPartitionRef[];
  /** Leaves the group and closes connections. */
  disconnect(): Promise<void>;
}

export interface ProducedRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly RawHeader[];
  /** Epoch ms; omitted lets the producer stamp it. */
  readonly timestamp?: number;
}

export interface KafkaProducer {
  connect(): Promise<void>;
  /** Resolves when the broker acknowledged every record (acks per producer config). */
  send(records: readonly ProducedRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface NewTopic {
  readonly topic: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly configs?: Record<string, string>;
}

export interface GroupMemberDescription {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
}

export interface GroupDescription {
  readonly groupId: string;
  /** Kafka's group state: Empty, Stable, PreparingRebalance, CompletingRebalance, Dead. */
  readonly state: string;
  readonly protocolType: string;
  readonly members: readonly GroupMemberDescription[];
}

export interface KafkaAdmin {
  connect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Creates the topics that do not exist yet; returns the names it created. */
  createTopics(topics: readonly NewTopic[]): Promise<string[]>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  partitionCount(topic: string): Promise<number>;
  /** Log end offsets per partition. */
  topicEndOffsets(topic: string): Promise<TopicPartitionOffset[]>;
  /** Committed offsets of a group for the given topics (all its topics when omitted); -1 when none. */
  fetchGroupOffsets(groupId: string, topics?: readonly string[]): Promise<TopicPartitionOffset[]>;
  /** Overwrites a group's committed offsets; the group must have no active member. */
  setGroupOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Removes a group (and its committed offsets); the group must have no active member. */
  deleteGroup(groupId: string): Promise<void>;
  describeGroup(groupId: string): Promise<GroupDescription>;
  /** The Kafka cluster id (REST `GET /` reports it as `kafka_cluster_id`). */
  clusterId(): Promise<string>;
  disconnect(): Promise<void>;
}

/** Per-client settings in Kafka's property names (e.g. a connector's `consumer.override.*`, prefix stripped). */
export type ClientOverrides = Record<string, string>;

export interface ConsumerOptions {
  readonly groupId: string;
  readonly clientId: string;
  readonly overrides?: ClientOverrides;
}

export interface ProducerOptions {
  readonly clientId: string;
  readonly overrides?: ClientOverrides;
}

export interface AdminOptions {
  readonly clientId: string;
  readonly overrides?: ClientOverrides;
}

/** A Kafka cluster connection as configured by the worker: makes the three kinds of client. */
export interface KafkaClientFactory {
  consumer(options: ConsumerOptions): KafkaConsumer;
  producer(options: ProducerOptions): KafkaProducer;
  admin(options: AdminOptions): KafkaAdmin;
}
