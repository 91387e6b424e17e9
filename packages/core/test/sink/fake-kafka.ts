import type {
  BatchControl,
  ConsumerHandlers,
  FetchedMessage,
  GroupDescription,
  KafkaAdmin,
  KafkaClientFactory,
  KafkaConsumer,
  KafkaProducer,
  NewTopic,
  ProducedRecord,
  Subscription,
  TopicPartitionOffset,
  TopicPartitionRef,
} from '../../src/kafka/port.js';

// An in-memory Kafka behind the client port, for unit tests of the engine. It fetches like kafkajs:
// one partition batch at a time, the next only after the handler returned, from the position the
// handler resolved (or a seek set). Rebalances come two ways: noticed by a heartbeat (the revocation
// waits for the batch handler), or announced while a batch is being handled (`revokeConcurrently`),
// as kafkajs does when its own loop learns of a rebalance.

const key = (tp: TopicPartitionRef) => `${tp.topic}-${tp.partition}`;

export class FakeKafka implements KafkaClientFactory {
  readonly topics = new Map<string, FetchedMessage[][]>();
  readonly committed = new Map<string, number>();
  readonly commits: TopicPartitionOffset[][] = [];
  readonly produced: ProducedRecord[] = [];
  readonly createdTopics: NewTopic[] = [];
  /** Hook to refuse offset commits (throw), e.g. one made while the group already rebalances. */
  commitHook: (offsets: readonly TopicPartitionOffset[]) => Promise<void> = async () => undefined;
  /** Hook to delay or fail DLQ sends. */
  sendHook: (records: readonly ProducedRecord[]) => Promise<void> = async () => undefined;
  fetchSize = 100;
  /** How long a consumer's group join takes (e.g. while a crashed member's session runs out). */
  joinDelayMs = 0;
  consumers: FakeConsumer[] = [];

  addTopic(topic: string, partitions: number): void {
    this.topics.set(
      topic,
      Array.from({ length: partitions }, () => []),
    );
  }

  append(
    topic: string,
    partition: number,
    value: string | Buffer | null,
    extra: Partial<FetchedMessage> = {},
  ): number {
    const log = this.topics.get(topic)![partition]!;
    const offset = log.length;
    log.push({
      offset,
      key: null,
      value: typeof value === 'string' ? Buffer.from(value) : value,
      timestamp: 1_700_000_000_000 + offset,
      timestampType: 'CreateTime',
      headers: [],
      ...extra,
    });
    return offset;
  }

  committedOffset(topic: string, partition: number): number | undefined {
    return this.committed.get(`${topic}-${partition}`);
  }

  consumer(): KafkaConsumer {
    const c = new FakeConsumer(this);
    this.consumers.push(c);
    return c;
  }

  producer(): KafkaProducer {
    return {
      connect: async () => undefined,
      send: async (records) => {
        await this.sendHook(records);
        this.produced.push(...records);
      },
      disconnect: async () => undefined,
    };
  }

  admin(): KafkaAdmin {
    const unsupported = () => Promise.reject(new Error('not in the fake'));
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      listTopics: async () => [...this.topics.keys()],
      createTopics: async (topics) => {
        const created = topics.filter((t) => !this.topics.has(t.topic));
        for (const t of created) {
          this.createdTopics.push(t);
          this.addTopic(t.topic, t.numPartitions);
        }
        return created.map((t) => t.topic);
      },
      deleteTopics: unsupported,
      partitionCount: async (t) => this.topics.get(t)?.length ?? 0,
      topicEndOffsets: unsupported,
      fetchGroupOffsets: unsupported,
      setGroupOffsets: unsupported,
      deleteGroup: unsupported,
      describeGroup: (): Promise<GroupDescription> => unsupported(),
      clusterId: (): Promise<string> => Promise.resolve('fake-cluster'),
    };
  }
}

export class FakeConsumer implements KafkaConsumer {
  private handlers: ConsumerHandlers | null = null;
  private assigned: TopicPartitionRef[] = [];
  private readonly positions = new Map<string, number>();
  private readonly paused = new Set<string>();
  private running = false;
  private loop: Promise<void> | null = null;
  private rebalanceRequested = false;
  private revoking: Promise<void> | null = null;
  private handling: Promise<void> = Promise.resolve();
  /** When a concurrent revocation started (Date.now()), for tests that check what happened after. */
  revocationStartedAt: number | null = null;
  subscription: Subscription | null = null;
  batchesHandled = 0;
  inHandler = 0;
  maxInHandler = 0;

  constructor(private readonly kafka: FakeKafka) {}

  async connect(): Promise<void> {}

  async subscribe(subscription: Subscription): Promise<void> {
    this.subscription = subscription;
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    this.handlers = handlers;
    this.running = true;
    await this.join();
    this.loop = this.fetchLoop();
  }

  /** Simulates a group rebalance noticed by a heartbeat: revoke all, then assign all again. */
  requestRebalance(): void {
    this.rebalanceRequested = true;
  }

  /**
   * A rebalance announced while a batch is being handled: `rebalancing()` turns true for the running
   * handler at once; the revocation callback runs once the handler returned; then the consumer joins
   * again with `next` (default: every partition again). Resolves when the new assignment is handed over.
   */
  revokeConcurrently(next?: readonly TopicPartitionRef[]): Promise<void> {
    this.revocationStartedAt = Date.now();
    const run = (async () => {
      await this.handling;
      await this.handlers!.onPartitionsRevoked(this.assigned);
      await this.join(next);
    })();
    this.revoking = run.finally(() => (this.revoking = null));
    return this.revoking;
  }

  private async join(only?: readonly TopicPartitionRef[]): Promise<void> {
    if (this.kafka.joinDelayMs > 0) await new Promise((r) => setTimeout(r, this.kafka.joinDelayMs));
    if (!this.running) return;
    const sub = this.subscription!;
    const topics = [...this.kafka.topics.keys()].filter((t) =>
      'topics' in sub ? sub.topics.includes(t) : sub.pattern.test(t),
    );
    this.assigned =
      only?.map((tp) => ({ topic: tp.topic, partition: tp.partition })) ??
      topics.flatMap((topic) => this.kafka.topics.get(topic)!.map((_, partition) => ({ topic, partition })));
    for (const tp of this.assigned) this.positions.set(key(tp), this.kafka.committed.get(key(tp)) ?? 0);
    await this.handlers!.onPartitionsAssigned(this.assigned);
  }

  private async fetchLoop(): Promise<void> {
    while (this.running) {
      if (this.revoking) await this.revoking;
      let delivered = false;
      for (const tp of this.assigned) {
        if (!this.running) return;
        if (this.revoking) break;
        const k = key(tp);
        if (this.paused.has(k)) continue;
        const log = this.kafka.topics.get(tp.topic)![tp.partition]!;
        const from = this.positions.get(k)!;
        if (from >= log.length) continue;
        const messages = log.slice(from, from + this.kafka.fetchSize);
        let rebalance = false;
        const control: BatchControl = {
          heartbeat: async () => {
            if (this.rebalanceRequested) rebalance = true;
          },
          rebalancing: () => rebalance || this.revoking !== null,
          resolve: (next) => this.positions.set(k, next),
        };
        this.inHandler++;
        this.maxInHandler = Math.max(this.maxInHandler, this.inHandler);
        this.handling = this.handlers!.onBatch(
          {
            ...tp,
            messages,
            highWatermark: log.length,
            nextOffset: messages[messages.length - 1]!.offset + 1,
            fetchedOffset: from,
          },
          control,
        );
        await this.handling;
        this.inHandler--;
        // A real fetch goes through the network: never starve timers, even when handlers return at once.
        await new Promise((r) => setImmediate(r));
        this.batchesHandled++;
        delivered = true;
        if (rebalance || this.rebalanceRequested) {
          this.rebalanceRequested = false;
          await this.handlers!.onPartitionsRevoked(this.assigned);
          await this.join();
          break;
        }
      }
      if (!delivered) await new Promise((r) => setTimeout(r, 2));
    }
  }

  pause(partitions: readonly TopicPartitionRef[]): void {
    for (const tp of partitions) this.paused.add(key(tp));
  }

  resume(partitions: readonly TopicPartitionRef[]): void {
    for (const tp of partitions) this.paused.delete(key(tp));
  }

  isPaused(tp: TopicPartitionRef): boolean {
    return this.paused.has(key(tp));
  }

  seek(tpo: TopicPartitionOffset): void {
    this.positions.set(key(tpo), tpo.offset);
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.kafka.commitHook(offsets);
    this.kafka.commits.push([...offsets]);
    for (const o of offsets) this.kafka.committed.set(key(o), o.offset);
  }

  assignment(): readonly TopicPartitionRef[] {
    return this.assigned;
  }

  async disconnect(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
