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
// - kafkajs alternates fetching and batch handling per broker: its next fetch waits until the
//   eachBatch handler returns. Handling a batch inside eachBatch would leave the network idle while
//   records are converted and put, and the sink idle while the next fetch is on the wire. So this
//   adapter fetches ahead: eachBatch only queues the batch (and resolves it, so kafkajs fetches the
//   next records) while a drain loop hands queued batches to the engine one at a time. The queue is
//   bounded in bytes (`fetch.max.bytes`, kafkajs' default 10 MiB when unset): when full, eachBatch
//   waits (heartbeating), so nothing more is fetched and memory stays flat whatever the backlog.
//   When the engine returns without taking a whole batch (paused, stopping, failed, rewound), the
//   partition is sought back to the first record it did not take and its queued batches are dropped:
//   prefetched records are never skipped, only fetched again.
// - It has no revocation callback. A rebalance noticed by a heartbeat while eachBatch waits for room
//   is held until the batch the engine is handling is done and the queue is dropped; then
//   `onPartitionsRevoked` runs (commits still succeed then: the coordinator accepts the old
//   generation while it prepares the rebalance) before the error is handed to kafkajs, which rejoins.
//   A rebalance kafkajs notices in its own loop is only *announced* (REBALANCING event) while it
//   already rejoins: the revocation then runs concurrently with the join and its commit may be
//   refused; records acknowledged since the last commit are then delivered again after the
//   rebalance (at-least-once, never a gap).
// - Rebalancing is eager: every rebalance revokes all partitions and assigns anew.

/** How long subscribe waits for missing topics to be created by the broker. */
const MISSING_TOPIC_WAIT_MS = 30_000;

/** kafkajs' own default for fetch.max.bytes, used as the fetch-ahead bound when the user set none. */
const DEFAULT_PREFETCH_BYTES = 10 * 1024 * 1024;
const HEARTBEAT_EVERY_MS = 3000;

const REBALANCE_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
]);

function isRebalance(e: unknown): boolean {
  return REBALANCE_ERRORS.has((e as { type?: string } | null)?.type ?? '');
}

/** A fetched batch waiting for the engine. */
interface Queued {
  readonly key: string;
  readonly batch: FetchedBatch;
  /** Offset the batch was fetched from. */
  readonly fetchedOffset: number;
  readonly bytes: number;
}

export class KafkaJsConsumer implements KafkaConsumer {
  private readonly consumer: Consumer;
  private assigned: TopicPartitionRef[] = [];
  /** Serialises assignment/revocation callbacks, which kafkajs does not await. */
  private lifecycle: Promise<void> = Promise.resolve();
  private pendingRebalance: Error | null = null;
  private revokeDone = true;

  // ---- fetch-ahead ----
  private readonly prefetchBytes: number;
  private queue: Queued[] = [];
  private queuedBytes = 0;
  /**
   * Per partition: bumped by every seek. A batch whose partition was sought while it waited is stale;
   * the drain loop also learns from it that the engine rewound a partition itself.
   */
  private readonly seekEpoch = new Map<string, number>();
  private wakeDrain: (() => void) | null = null;
  private wakeRoom: (() => void) | null = null;
  /** The batch the engine is handling right now. */
  private handling: Promise<void> = Promise.resolve();
  private quiescing = false;
  /** Bumped by every quiesce: a batch kafkajs fetched in an earlier generation is not queued. */
  private generation = 0;
  private closed = false;

  constructor(
    kafka: Kafka,
    config: Parameters<Kafka['consumer']>[0],
    private readonly fromBeginning: boolean,
    private readonly logger: Logger,
  ) {
    this.consumer = kafka.consumer(config);
    this.prefetchBytes = config?.maxBytes ?? DEFAULT_PREFETCH_BYTES;
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
        if (revokeFirst) await this.revoke(previous, handlers);
        else await this.quiesce();
        this.quiescing = false;
        await handlers.onPartitionsAssigned(assigned);
      }, handlers);
    });
    this.consumer.on(REBALANCING, () => {
      if (this.revokeDone) return;
      this.revokeDone = true;
      const revoked = this.assigned;
      this.chain(() => this.revoke(revoked, handlers), handlers);
    });
    this.consumer.on(CRASH, ({ payload }) => {
      if (!payload.restart) handlers.onCrash(payload.error);
    });
    void this.drain(handlers);
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.enqueue(payload, handlers),
    });
  }

  private chain(step: () => Promise<void>, handlers: ConsumerHandlers): void {
    this.lifecycle = this.lifecycle.then(step).catch((e: unknown) => handlers.onCrash(e as Error));
  }

  /** Stops handing batches to the engine, drops the queue and waits for the batch being handled. */
  private async quiesce(): Promise<void> {
    this.quiescing = true;
    this.generation++;
    this.dropQueued(() => true);
    await this.handling;
  }

  private async revoke(partitions: TopicPartitionRef[], handlers: ConsumerHandlers): Promise<void> {
    await this.quiesce();
    await handlers.onPartitionsRevoked(partitions);
  }

  /** kafkajs' eachBatch: queue the batch, let kafkajs fetch on, wait only while the queue is full. */
  private async enqueue(payload: EachBatchPayload, handlers: ConsumerHandlers): Promise<void> {
    const { batch } = payload;
    const heartbeat = () => payload.heartbeat();
    const resolveOffset = (offset: string) => payload.resolveOffset(offset);
    const key = `${batch.topic}\u0000${batch.partition}`;
    const generation = this.generation;
    const seekEpoch = this.seekEpoch.get(key) ?? 0;
    await this.lifecycle;
    if (this.closed || this.quiescing || generation !== this.generation) return;
    // Sought while this batch waited: its records come again from the new position. (kafkajs itself
    // skips batches of a partition with a seek pending; this covers a seek made during the wait.)
    if ((this.seekEpoch.get(key) ?? 0) !== seekEpoch) return;
    // Batch.fetchedOffset is set by kafkajs 2.x but missing from its type declarations.
    const fetchedOffset = Number((batch as unknown as { fetchedOffset: string }).fetchedOffset);
    const { fetched, bytes } = toFetchedBatch(batch, fetchedOffset, seekEpoch);
    resolveOffset(String(fetched.nextOffset - 1));
    this.queue.push({ key, batch: fetched, fetchedOffset, bytes });
    this.queuedBytes += bytes;
    this.wakeDrain?.();

    let lastBeat = Date.now();
    while (this.queuedBytes > this.prefetchBytes && !this.closed && !this.pendingRebalance) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, HEARTBEAT_EVERY_MS);
        this.wakeRoom = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeRoom = null;
      if (Date.now() - lastBeat >= HEARTBEAT_EVERY_MS) {
        lastBeat = Date.now();
        try {
          await heartbeat();
        } catch (e) {
          if (isRebalance(e)) this.pendingRebalance = e as Error;
          else this.logger.debug({ err: e }, 'Heartbeat failed; kafkajs retries it after the batch');
        }
      }
    }
    const rebalance = this.pendingRebalance;
    if (rebalance) {
      this.pendingRebalance = null;
      this.revokeDone = true;
      await this.revoke(this.assigned, handlers);
      throw rebalance;
    }
  }

  /** Hands queued batches to the engine, one at a time, for as long as the consumer runs. */
  private async drain(handlers: ConsumerHandlers): Promise<void> {
    while (!this.closed) {
      const next = this.queue.shift();
      if (!next) {
        await new Promise<void>((resolve) => (this.wakeDrain = resolve));
        this.wakeDrain = null;
        continue;
      }
      this.queuedBytes -= next.bytes;
      this.wakeRoom?.();
      const { batch, key } = next;
      let resolved = next.fetchedOffset;
      const epoch = this.seekEpoch.get(key) ?? 0;
      const control: BatchControl = {
        // kafkajs heartbeats in its own loop, which keeps running while the engine works.
        heartbeat: () => Promise.resolve(),
        rebalancing: () => this.quiescing || this.closed,
        resolve: (nextOffset) => (resolved = nextOffset),
      };
      this.handling = handlers.onBatch(batch, control).catch((e: unknown) => handlers.onCrash(e as Error));
      await this.handling;
      const tp = { topic: batch.topic, partition: batch.partition };
      // The engine did not take the whole batch and did not seek itself: fetch from where it stopped.
      if (resolved < batch.nextOffset && !this.quiescing && (this.seekEpoch.get(key) ?? 0) === epoch) {
        this.seek({ ...tp, offset: resolved });
      }
    }
  }

  private dropQueued(which: (q: Queued) => boolean): void {
    const kept: Queued[] = [];
    for (const q of this.queue) {
      if (which(q)) this.queuedBytes -= q.bytes;
      else kept.push(q);
    }
    this.queue = kept;
    this.wakeRoom?.();
  }

  pause(partitions: readonly TopicPartitionRef[]): void {
    for (const [topic, ps] of byTopic(partitions)) this.consumer.pause([{ topic, partitions: ps }]);
  }

  resume(partitions: readonly TopicPartitionRef[]): void {
    for (const [topic, ps] of byTopic(partitions)) this.consumer.resume([{ topic, partitions: ps }]);
  }

  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    const key = `${topic}\u0000${partition}`;
    this.seekEpoch.set(key, (this.seekEpoch.get(key) ?? 0) + 1);
    this.dropQueued((q) => q.key === key);
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
    this.closed = true;
    this.dropQueued(() => true);
    this.wakeDrain?.();
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

function toFetchedBatch(
  batch: Batch,
  fetchedOffset: number,
  seekEpoch: number,
): { fetched: FetchedBatch; bytes: number } {
  const messages: FetchedMessage[] = new Array<FetchedMessage>(batch.messages.length);
  let bytes = 0;
  for (let i = 0; i < batch.messages.length; i++) {
    const m = toFetchedMessage(batch.messages[i]!);
    bytes += (m.key?.length ?? 0) + (m.value?.length ?? 0) + 64;
    messages[i] = m;
  }
  const fetched: FetchedBatch = {
    topic: batch.topic,
    partition: batch.partition,
    messages,
    highWatermark: Number(batch.highWatermark),
    nextOffset: Number(batch.lastOffset()) + 1,
    fetchedOffset,
    seekEpoch,
  };
  return { fetched, bytes };
}

function toFetchedMessage(m: KafkaMessage): FetchedMessage {
  const context = (m as { batchContext?: { timestampType?: number } }).batchContext;
  return {
    offset: Number(m.offset),
    key: m.key ?? null,
    value: m.value ?? null,
    timestamp: Number(m.timestamp),
    timestampType: context?.timestampType === LOG_APPEND_TIME ? 'LogAppendTime' : 'CreateTime',
    headers: m.headers ? toRawHeaders(m.headers) : NO_HEADERS,
  };
}

/** Shared by every record without headers (most of them): one allocation less per record. */
const NO_HEADERS: readonly RawHeader[] = Object.freeze([]);

function toRawHeaders(headers: IHeaders): readonly RawHeader[] {
  let out: RawHeader[] | null = null;
  for (const key in headers) {
    const v = headers[key];
    out ??= [];
    const values = Array.isArray(v) ? v : [v];
    for (const value of values) {
      out.push({
        key,
        value:
          value === undefined || value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value),
      });
    }
  }
  return out ?? NO_HEADERS;
}
