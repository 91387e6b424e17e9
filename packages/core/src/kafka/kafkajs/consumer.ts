import type { Logger } from 'pino';
import kafkajs, {
  type Batch,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type Kafka,
  type KafkaMessage,
} from 'kafkajs';
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
import { installJoinHook, type RejoinInfo, withBeforeJoin } from './join-hook.js';

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
// - It has no revocation callback. join-hook.ts adds one: before kafkajs (re)joins the group, it
//   awaits this consumer's revocation: the batch the engine is handling finishes, the queue is dropped
//   and `onPartitionsRevoked` runs, committing while the coordinator still accepts the old generation
//   (it does until the member rejoins). That is the Java consumer's order, whoever noticed the
//   rebalance: a heartbeat of ours while eachBatch waits for room (the answer is held, then handed to
//   kafkajs), or kafkajs' own loop (a heartbeat between fetches on an idle topic, a fetch error).
//   Without it the revocation ran alongside the join, its commit was refused or came late, and records
//   already written were delivered again after the rebalance.
// - Rebalancing is eager: every rebalance revokes all partitions and assigns anew.
// - It has no heartbeat thread: a member learns that its session expired (a frozen process, a
//   coordinator out of reach) only from the answer to its next heartbeat, and kafkajs asks only
//   between fetches. Meanwhile its fetch loop goes on and the partitions may already be someone
//   else's. So, as the Java consumer does, nothing is queued or handed to the engine once more than
//   `session.timeout.ms` passed since the coordinator last answered, until a heartbeat confirmed the
//   membership. An answer that the member is gone (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION) makes the
//   partitions *lost*: the queue is dropped, they are revoked, and their offsets are not committed
//   (Kafka's onPartitionsLost), since the new owner may have committed further meanwhile and a late
//   commit, accepted once kafkajs rejoined, would rewind it.

/** How long subscribe waits for missing topics to be created by the broker. */
const MISSING_TOPIC_WAIT_MS = 30_000;

/** kafkajs' own default for fetch.max.bytes, used as the fetch-ahead bound when the user set none. */
const DEFAULT_PREFETCH_BYTES = 10 * 1024 * 1024;
const HEARTBEAT_EVERY_MS = 3000;
/** kafkajs' default heartbeat.interval.ms. */
const DEFAULT_HEARTBEAT_INTERVAL_MS = 3000;
/** kafkajs' default session.timeout.ms. */
const DEFAULT_SESSION_TIMEOUT_MS = 30_000;

/** Answers that tell a member the group went on without it: its partitions may be someone else's. */
const MEMBERSHIP_LOST_ERRORS = new Set(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

const REBALANCE_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
]);

function errorType(e: unknown): string {
  return (e as { type?: string } | null)?.type ?? '';
}

function isRebalance(e: unknown): boolean {
  return REBALANCE_ERRORS.has(errorType(e));
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

  // ---- session ----
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  /** When the coordinator last confirmed the membership (heartbeat answered, group joined). */
  private lastContact = Date.now();
  /** kafkajs' heartbeat (any eachBatch payload's: they all heartbeat the same group member). */
  private heartbeat: (() => Promise<void>) | null = null;
  /** A membership check under way, shared by the fetch and drain sides. */
  private confirming: Promise<boolean> | null = null;
  private memberId: string | null = null;
  /** The group went on without this member: commits are refused until the next assignment. */
  private membershipLost = false;
  /**
   * Partitions held when the membership was lost and not assigned again since: their offsets are
   * never committed from here (the engine may still hold acknowledgements from before the loss).
   */
  private readonly lostPartitions = new Set<string>();
  private handlers: ConsumerHandlers | null = null;
  /** kafkajs awaits the revocation before it rejoins (false only with a kafkajs lacking the hook point). */
  private readonly joinHooked: boolean;

  constructor(
    kafka: Kafka,
    config: Parameters<Kafka['consumer']>[0],
    private readonly fromBeginning: boolean,
    private readonly logger: Logger,
  ) {
    // The revocation runs before every (re)join, awaited by kafkajs (join-hook.ts).
    this.joinHooked = installJoinHook();
    const assigners = config?.partitionAssigners ?? [kafkajs.PartitionAssigners.roundRobin];
    this.consumer = kafka.consumer({
      ...config,
      partitionAssigners: this.joinHooked
        ? assigners.map((a) => withBeforeJoin(a, (info) => this.beforeJoin(info)))
        : assigners,
    });
    this.prefetchBytes = config?.maxBytes ?? DEFAULT_PREFETCH_BYTES;
    this.sessionTimeoutMs = config?.sessionTimeout ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.heartbeatIntervalMs = config?.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
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
    this.handlers = handlers;
    if (!this.joinHooked) {
      this.logger.warn(
        'This kafkajs version has no ConsumerGroup#joinAndSync to wait on: a revocation may commit only after ' +
          'the rejoin, and records written before a rebalance may then be delivered again (at-least-once)',
      );
    }
    const { GROUP_JOIN, HEARTBEAT, REBALANCING, CRASH } = this.consumer.events;
    this.consumer.on(HEARTBEAT, () => {
      this.lastContact = Date.now();
      if (!this.membershipLost) handlers.onSessionConfirmed?.(this.lastContact + this.sessionTimeoutMs);
    });
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.lastContact = Date.now();
      this.pendingRebalance = null;
      const previous = this.assigned;
      this.assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      const revokeFirst = !this.revokeDone && previous.length > 0;
      // kafkajs rejoins as a new member, without telling, when the coordinator no longer knew it.
      if (revokeFirst && this.memberId !== null && payload.memberId !== this.memberId) {
        this.loseMembership(previous);
      }
      // Rejoined without a revocation first: nothing more of the old assignment reaches the engine.
      if (revokeFirst) this.stopDelivering();
      this.memberId = payload.memberId ?? null;
      this.revokeDone = false;
      const assigned = this.assigned;
      this.chain(async () => {
        if (revokeFirst) await this.revoke(previous, handlers);
        else await this.quiesce();
        this.quiescing = false;
        this.membershipLost = false;
        for (const tp of assigned) this.lostPartitions.delete(tpKey(tp));
        handlers.onSessionConfirmed?.(this.lastContact + this.sessionTimeoutMs);
        await handlers.onPartitionsAssigned(assigned);
      }, handlers);
    });
    this.consumer.on(REBALANCING, () => {
      // kafkajs does not say which answer it got; past its session, the member is gone.
      if (this.sessionExpired()) this.loseMembership(this.assigned);
      this.revokeOnce(handlers);
    });
    this.consumer.on(CRASH, ({ payload }) => {
      if (!payload.restart) handlers.onCrash(payload.error);
    });
    void this.drain(handlers);
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.enqueue(payload),
    });
  }

  private chain(step: () => Promise<void>, handlers: ConsumerHandlers): void {
    this.lifecycle = this.lifecycle.then(step).catch((e: unknown) => handlers.onCrash(e as Error));
  }

  /** Stops handing batches to the engine, drops the queue and waits for the batch being handled. */
  private async quiesce(): Promise<void> {
    this.stopDelivering();
    await this.handling;
  }

  /** From now until the next assignment, nothing goes to the engine, not even what is queued. */
  private stopDelivering(): void {
    this.quiescing = true;
    this.generation++;
    this.dropQueued(() => true);
  }

  private async revoke(partitions: TopicPartitionRef[], handlers: ConsumerHandlers): Promise<void> {
    await this.quiesce();
    await handlers.onPartitionsRevoked(partitions);
  }

  /**
   * kafkajs is about to (re)join: revoke what is still assigned, and wait for the revocation and its
   * commit, which the coordinator accepts in the old generation until this member rejoins.
   */
  private async beforeJoin({ memberId, heartbeat }: RejoinInfo): Promise<void> {
    const handlers = this.handlers;
    if (!handlers) return;
    if (!this.revokeDone && this.assigned.length > 0) {
      // kafkajs forgets its member id when the coordinator no longer knows it (UNKNOWN_MEMBER_ID), and
      // past its session the member is gone: either way the partitions may be someone else's by now.
      if ((memberId === null && this.memberId !== null) || this.sessionExpired()) {
        this.loseMembership(this.assigned);
      }
      this.revokeOnce(handlers);
    }
    // Never rejects: the lifecycle chain reports its failures through onCrash.
    let revoked = false;
    const revocation = this.lifecycle.then(() => (revoked = true));
    // A long revocation (a slow flush) must not cost the membership: heartbeat meanwhile, as the Java
    // consumer's heartbeat thread does during onPartitionsRevoked.
    while (!revoked && !this.closed) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([revocation, new Promise((r) => (timer = setTimeout(r, this.heartbeatIntervalMs)))]);
      clearTimeout(timer);
      if (revoked || this.closed) break;
      await this.keepAlive(heartbeat);
    }
  }

  /** A heartbeat while the member waits to rejoin: REBALANCE_IN_PROGRESS is the expected answer. */
  private async keepAlive(heartbeat: () => Promise<void>): Promise<void> {
    try {
      await heartbeat();
      this.lastContact = Date.now();
    } catch (e) {
      const type = errorType(e);
      if (type === 'REBALANCE_IN_PROGRESS') this.lastContact = Date.now();
      else if (MEMBERSHIP_LOST_ERRORS.has(type)) this.loseMembership(this.assigned);
      else this.logger.debug({ err: e }, 'Heartbeat while revoking failed');
    }
  }

  /** Revokes the current assignment, unless it is already revoked for this rebalance. */
  private revokeOnce(handlers: ConsumerHandlers): void {
    if (this.revokeDone) return;
    this.revokeDone = true;
    const revoked = this.assigned;
    this.stopDelivering();
    this.chain(() => this.revoke(revoked, handlers), handlers);
  }

  /** More than session.timeout.ms since the coordinator last confirmed this member. */
  private sessionExpired(): boolean {
    return Date.now() - this.lastContact > this.sessionTimeoutMs;
  }

  /**
   * Heartbeats until the coordinator confirms the membership (true), or answers with a rebalance
   * (false: the revocation has begun and `pendingRebalance` holds the answer for kafkajs' loop).
   * Other failures (coordinator unreachable) are retried: the membership stays in doubt till then.
   */
  private confirmMembership(): Promise<boolean> {
    this.confirming ??= (async () => {
      try {
        while (!this.closed && !this.quiescing && this.sessionExpired()) {
          try {
            await this.heartbeat?.();
          } catch (e) {
            if (isRebalance(e)) {
              this.onRebalanceAnswer(e as Error);
              return false;
            }
            this.logger.debug({ err: e }, 'Heartbeat to confirm the group membership failed; retrying');
          }
          // kafkajs sends nothing while it has no member id (rejoining); its GROUP_JOIN ends the wait.
          if (this.sessionExpired()) await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_EVERY_MS));
        }
        return !this.closed && !this.quiescing;
      } finally {
        this.confirming = null;
      }
    })();
    return this.confirming;
  }

  private loseMembership(held: readonly TopicPartitionRef[]): void {
    this.membershipLost = true;
    for (const tp of held) this.lostPartitions.add(tpKey(tp));
  }

  /** A heartbeat of ours was answered with a rebalance: revoke now, and have kafkajs rejoin. */
  private onRebalanceAnswer(e: Error): void {
    if (MEMBERSHIP_LOST_ERRORS.has(errorType(e))) {
      this.loseMembership(this.assigned);
      this.logger.warn(
        { err: e, partitions: this.assigned },
        'The group went on without this consumer (its session expired); its partitions are dropped ' +
          'uncommitted and consumed by their new owner from the last committed offsets',
      );
    }
    this.pendingRebalance = e;
    this.revokeOnce(this.handlers!);
  }

  /** kafkajs' eachBatch: queue the batch, let kafkajs fetch on, wait only while the queue is full. */
  private async enqueue(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const heartbeat = () => payload.heartbeat();
    this.heartbeat = heartbeat;
    const resolveOffset = (offset: string) => payload.resolveOffset(offset);
    const key = tpKey(batch);
    const generation = this.generation;
    const seekEpoch = this.seekEpoch.get(key) ?? 0;
    await this.lifecycle;
    if (this.pendingRebalance) return this.rejoin();
    if (this.closed || this.quiescing || generation !== this.generation) return;
    // Sought while this batch waited: its records come again from the new position. (kafkajs itself
    // skips batches of a partition with a seek pending; this covers a seek made during the wait.)
    if ((this.seekEpoch.get(key) ?? 0) !== seekEpoch) return;
    // Past its session (the process was frozen, say): the partition may be someone else's by now.
    if (this.sessionExpired() && !(await this.confirmMembership())) return this.rejoin();
    if (this.closed || this.quiescing || generation !== this.generation) return;
    if ((this.seekEpoch.get(key) ?? 0) !== seekEpoch) return;
    // Batch.fetchedOffset is set by kafkajs 2.x but missing from its type declarations.
    const fetchedOffset = Number((batch as unknown as { fetchedOffset: string }).fetchedOffset);
    const { fetched, bytes } = toFetchedBatch(batch, fetchedOffset, seekEpoch);
    resolveOffset(String(fetched.nextOffset - 1));
    this.queue.push({ key, batch: fetched, fetchedOffset, bytes });
    this.queuedBytes += bytes;
    this.wakeDrain?.();

    // The heartbeat kafkajs would send once eachBatch returns, sent here instead: a rebalance answered
    // to it is then revoked before kafkajs rejoins (the Java consumer's order), while the coordinator
    // still accepts the revocation's commit. Left to kafkajs, the rejoin runs alongside the revocation
    // and the commit may come too late, so that records already written are delivered again.
    if (Date.now() - this.lastContact >= this.heartbeatIntervalMs) await this.beat(heartbeat);
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
        await this.beat(heartbeat);
      }
    }
    return this.rejoin();
  }

  /** Heartbeats; a rebalance answer starts the revocation, and is handed to kafkajs after it. */
  private async beat(heartbeat: () => Promise<void>): Promise<void> {
    try {
      await heartbeat();
    } catch (e) {
      if (isRebalance(e)) this.onRebalanceAnswer(e as Error);
      else this.logger.debug({ err: e }, 'Heartbeat failed; kafkajs retries it after the batch');
    }
  }

  /**
   * After a rebalance answer to one of our heartbeats: once the revocation is done, the answer goes to
   * kafkajs, which rejoins (as a new member after UNKNOWN_MEMBER_ID).
   */
  private async rejoin(): Promise<void> {
    const rebalance = this.pendingRebalance;
    if (!rebalance) return;
    this.pendingRebalance = null;
    await this.lifecycle;
    throw rebalance;
  }

  /** Hands queued batches to the engine, one at a time, for as long as the consumer runs. */
  private async drain(handlers: ConsumerHandlers): Promise<void> {
    while (!this.closed) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wakeDrain = resolve));
        this.wakeDrain = null;
        continue;
      }
      // Queued before a freeze, or while the coordinator was out of reach: held until the
      // membership is confirmed; a rebalance answer drops the queue instead.
      if (this.sessionExpired()) {
        // Not confirmed: a rebalance revokes the partitions (or the consumer closes); their records
        // are fetched again by whoever owns them next.
        if (!(await this.confirmMembership())) this.dropQueued(() => true);
        continue;
      }
      const next = this.queue.shift()!;
      this.queuedBytes -= next.bytes;
      this.wakeRoom?.();
      const { batch, key } = next;
      let resolved = next.fetchedOffset;
      const epoch = this.seekEpoch.get(key) ?? 0;
      const control: BatchControl = {
        // kafkajs heartbeats in its own loop, which keeps running while the engine works.
        heartbeat: () => Promise.resolve(),
        // Past its session, no put starts before the membership is confirmed: the engine returns what
        // it did not take, which is fetched again once it is (or by the partition's new owner).
        rebalancing: () => this.quiescing || this.closed || this.sessionExpired(),
        resolve: (nextOffset) => (resolved = nextOffset),
      };
      this.handling = handlers.onBatch(batch, control).catch((e: unknown) => handlers.onCrash(e as Error));
      await this.handling;
      const tp = { topic: batch.topic, partition: batch.partition };
      // The engine did not take the whole batch and did not seek itself: fetch from where it stopped.
      if (
        resolved < batch.nextOffset &&
        !this.quiescing &&
        !this.closed &&
        (this.seekEpoch.get(key) ?? 0) === epoch
      ) {
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
    const key = tpKey({ topic, partition });
    this.seekEpoch.set(key, (this.seekEpoch.get(key) ?? 0) + 1);
    this.dropQueued((q) => q.key === key);
    this.consumer.seek({ topic, partition, offset: String(offset) });
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    // A commit after the group went on without this member would be accepted once kafkajs rejoined,
    // and would rewind what the partitions' new owner committed meanwhile.
    if (this.sessionExpired() && !this.membershipLost) await this.confirmMembership();
    if (this.membershipLost || offsets.some((o) => this.lostPartitions.has(tpKey(o)))) {
      const which = offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).join(', ');
      throw new Error(
        `Offsets ${which} not committed: this consumer's group membership was lost (session expired), ` +
          `so its partitions may already be consumed by another member, whose commits must not be undone`,
      );
    }
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

function tpKey({ topic, partition }: TopicPartitionRef): string {
  return `${topic}\u0000${partition}`;
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
