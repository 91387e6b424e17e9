import type { Logger } from 'pino';
import type { Batch, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type {
  BatchControl,
  ConsumerHandlers,
  FetchedBatch,
  FetchedMessage,
  KafkaConsumer,
  RawHeader,
  Subscription,
  TopicPartitionOffset,
  TopicPartitionRef,
} from '../port.js';

// The consumer port over kafkajs 2.x. What kafkajs allows and what it does not:
// - It has no revocation callback. A rebalance noticed by a heartbeat *inside* a batch handler is
//   held back until the handler returns, then `onPartitionsRevoked` runs (commits still succeed then:
//   the coordinator accepts the old generation while it prepares the rebalance) before the error is
//   handed to kafkajs, which rejoins. A rebalance kafkajs notices between batches is only *announced*
//   (REBALANCING event) while it already rejoins: the revocation then runs concurrently with the join
//   and its commit may be refused; records acknowledged since the last commit are then delivered
//   again after the rebalance (at-least-once, never a gap).
// - Rebalancing is eager: every rebalance revokes all partitions and assigns anew.
// - Fetching and batch handling alternate per broker: while a batch is handled nothing more is
//   fetched from that broker, so the in-flight data is bounded by one fetch response.

/** How long subscribe waits for missing topics to be created by the broker. */
const MISSING_TOPIC_WAIT_MS = 30_000;

const REBALANCE_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
]);

function isRebalance(e: unknown): boolean {
  return REBALANCE_ERRORS.has((e as { type?: string } | null)?.type ?? '');
}

export class KafkaJsConsumer implements KafkaConsumer {
  private readonly consumer: Consumer;
  private assigned: TopicPartitionRef[] = [];
  /** Serialises assignment/revocation callbacks and batches, which kafkajs does not await. */
  private lifecycle: Promise<void> = Promise.resolve();
  private pendingRebalance: Error | null = null;
  private revokeDone = true;

  constructor(
    kafka: Kafka,
    config: Parameters<Kafka['consumer']>[0],
    private readonly fromBeginning: boolean,
    private readonly logger: Logger,
  ) {
    this.consumer = kafka.consumer(config);
  }

  connect(): Promise<void> {
    return this.consumer.connect();
  }

  /**
   * A topic that does not exist yet is created by the broker on first use when it allows that
   * (`auto.create.topics.enable`), which takes a moment: keep asking for a while, as the Java
   * consumer does, before giving up with a message that says what to do.
   */
  async subscribe(subscription: Subscription): Promise<void> {
    const topics = 'pattern' in subscription ? [subscription.pattern] : [...subscription.topics];
    const deadline = Date.now() + MISSING_TOPIC_WAIT_MS;
    for (;;) {
      try {
        return await this.consumer.subscribe({ topics, fromBeginning: this.fromBeginning });
      } catch (e) {
        if ((e as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw e;
        if (Date.now() > deadline) {
          throw new Error(
            `Topic(s) ${topics.join(', ')} do not exist and the broker did not create them ` +
              `within ${MISSING_TOPIC_WAIT_MS / 1000} s: create them, or enable auto.create.topics.enable on the broker`,
            { cause: e },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    const { GROUP_JOIN, REBALANCING, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      const previous = this.assigned;
      this.assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      const revokeFirst = !this.revokeDone && previous.length > 0;
      this.revokeDone = false;
      const assigned = this.assigned;
      this.chain(async () => {
        if (revokeFirst) await handlers.onPartitionsRevoked(previous);
        await handlers.onPartitionsAssigned(assigned);
      }, handlers);
    });
    this.consumer.on(REBALANCING, () => {
      if (this.revokeDone) return;
      this.revokeDone = true;
      const revoked = this.assigned;
      this.chain(() => handlers.onPartitionsRevoked(revoked), handlers);
    });
    this.consumer.on(CRASH, ({ payload }) => {
      if (!payload.restart) handlers.onCrash(payload.error);
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.handleBatch(payload, handlers),
    });
  }

  private chain(step: () => Promise<void>, handlers: ConsumerHandlers): void {
    this.lifecycle = this.lifecycle.then(step).catch((e: unknown) => handlers.onCrash(e as Error));
  }

  private async handleBatch(payload: EachBatchPayload, handlers: ConsumerHandlers): Promise<void> {
    await this.lifecycle;
    const { batch, heartbeat, resolveOffset } = payload;
    const control: BatchControl = {
      heartbeat: async () => {
        if (this.pendingRebalance) return;
        try {
          await heartbeat();
        } catch (e) {
          if (isRebalance(e)) this.pendingRebalance = e as Error;
          else this.logger.debug({ err: e }, 'Heartbeat failed; kafkajs retries it after the batch');
        }
      },
      rebalancing: () => this.pendingRebalance !== null,
      resolve: (nextOffset) => resolveOffset(String(nextOffset - 1)),
    };
    await handlers.onBatch(toFetchedBatch(batch), control);
    const rebalance = this.pendingRebalance;
    if (rebalance) {
      this.pendingRebalance = null;
      this.revokeDone = true;
      await handlers.onPartitionsRevoked(this.assigned);
      throw rebalance;
    }
  }

  pause(partitions: readonly TopicPartitionRef[]): void {
    for (const [topic, ps] of byTopic(partitions)) this.consumer.pause([{ topic, partitions: ps }]);
  }

  resume(partitions: readonly TopicPartitionRef[]): void {
    for (const [topic, ps] of byTopic(partitions)) this.consumer.resume([{ topic, partitions: ps }]);
  }

  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    this.consumer.seek({ topic, partition, offset: String(offset) });
  }

  commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    return this.consumer.commitOffsets(
      offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })),
    );
  }

  assignment(): readonly TopicPartitionRef[] {
    return this.assigned;
  }

  async disconnect(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function byTopic(partitions: readonly TopicPartitionRef[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = out.get(topic) ?? [];
    list.push(partition);
    out.set(topic, list);
  }
  return out;
}

const LOG_APPEND_TIME = 1;

function toFetchedBatch(batch: Batch): FetchedBatch {
  const messages: FetchedMessage[] = new Array<FetchedMessage>(batch.messages.length);
  for (let i = 0; i < batch.messages.length; i++) messages[i] = toFetchedMessage(batch.messages[i]!);
  return {
    topic: batch.topic,
    partition: batch.partition,
    messages,
    highWatermark: Number(batch.highWatermark),
    nextOffset: Number(batch.lastOffset()) + 1,
  };
}

function toFetchedMessage(m: KafkaMessage): FetchedMessage {
  const context = (m as { batchContext?: { timestampType?: number } }).batchContext;
  return {
    offset: Number(m.offset),
    key: m.key ?? null,
    value: m.value ?? null,
    timestamp: Number(m.timestamp),
    timestampType: context?.timestampType === LOG_APPEND_TIME ? 'LogAppendTime' : 'CreateTime',
    headers: m.headers ? toRawHeaders(m.headers) : [],
  };
}

function toRawHeaders(headers: IHeaders): RawHeader[] {
  const out: RawHeader[] = [];
  for (const [key, v] of Object.entries(headers)) {
    const values = Array.isArray(v) ? v : [v];
    for (const value of values) {
      out.push({
        key,
        value:
          value === undefined || value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value),
      });
    }
  }
  return out;
}
