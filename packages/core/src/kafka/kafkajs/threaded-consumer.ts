import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type {
  BatchControl,
  ConsumerHandlers,
  ConsumerOptions,
  KafkaConsumer,
  Subscription,
  TopicPartitionOffset,
  TopicPartitionRef,
} from '../port.js';
import {
  deserializeError,
  packedSize,
  unpackBatch,
  type PackedBatch,
  type ConsumerThreadInit,
  type FromConsumerThread,
  type ToConsumerThread,
} from './thread-protocol.js';

// A kafkajs consumer on its own thread. Fetching, decompressing and decoding record batches costs
// about as much CPU as converting them; on one thread the two alternate, on two they overlap (the
// Java consumer likewise does its network I/O on a thread of its own). The consumer thread runs the
// ordinary KafkaJsConsumer with its bounded fetch-ahead queue and hands each batch over packed into
// two transferred buffers; the task's thread unpacks it (views, no copies), runs the engine's
// handler and answers with the offset it resolved. Rebalance callbacks are asked the same way and
// awaited, so the engine sees exactly the sequence the in-thread consumer produces.

const tpKey = (tp: TopicPartitionRef) => `${tp.topic}\u0000${tp.partition}`;

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const THREAD_SCRIPT = new URL(FROM_SOURCE ? './consumer-thread.ts' : './consumer-thread.js', import.meta.url);
/** Run from TypeScript sources (tests, benchmarks under tsx): the thread registers tsx's loader first. */
const FROM_SOURCE_BOOTSTRAP = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(THREAD_SCRIPT.href)}); });`;

/** What the consumer needs of its thread (a worker_threads Worker; unit tests pass a fake). */
export interface ConsumerThread {
  postMessage(message: ToConsumerThread): void;
  on(event: 'message', listener: (message: FromConsumerThread) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
}

/**
 * kafkajs leaves several short-lived objects per record (offsets as Long and string, buffer views,
 * header maps): with V8's default young generation a fifth of the thread's time went to scavenges.
 * A larger one halves that; larger still was slower again (runtime benchmark, 32 to 192 MiB tried).
 */
const CONSUMER_THREAD_YOUNG_GENERATION_MB = 64;

function startConsumerThread(init: ConsumerThreadInit): ConsumerThread {
  return new Worker(FROM_SOURCE ? FROM_SOURCE_BOOTSTRAP : THREAD_SCRIPT, {
    workerData: init,
    name: `consumer ${init.clientId}`,
    eval: FROM_SOURCE,
    resourceLimits: { maxYoungGenerationSizeMb: CONSUMER_THREAD_YOUNG_GENERATION_MB },
  });
}

export class ThreadedKafkaJsConsumer implements KafkaConsumer {
  private readonly thread: ConsumerThread;
  private readonly calls = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextCall = 1;
  private handlers: ConsumerHandlers | null = null;
  private assigned: TopicPartitionRef[] = [];
  private rebalancing = false;
  /** Batches received and not yet handed to the engine, in arrival order. */
  private pending: PackedBatch[] = [];
  private pumping = false;
  /** The batch the engine is handling. */
  private handling: Promise<void> = Promise.resolve();
  /**
   * Per partition: seeks sent to the consumer thread, which counts those it applied in the same way
   * and stamps each batch with its count: a batch stamped lower was fetched before the latest seek.
   * Also tells a rewind by the engine itself apart, so that it is not undone.
   */
  private readonly seekEpoch = new Map<string, number>();
  /**
   * Until when the coordinator's last confirmation of the membership holds (the consumer thread says).
   * Past it (a frozen process, a coordinator out of reach), batches received before are held: the
   * group may have gone on without this member, and the consumer thread either confirms it or
   * revokes the partitions, which drops them.
   */
  private sessionExpiresAt = Number.POSITIVE_INFINITY;
  private wakePump: (() => void) | null = null;
  private exited = false;
  private closing = false;
  private threadError: Error | null = null;

  constructor(
    clientConfig: Record<string, string>,
    options: ConsumerOptions,
    private readonly logger: Logger,
    startThread: (init: ConsumerThreadInit) => ConsumerThread = startConsumerThread,
  ) {
    const init: ConsumerThreadInit = {
      clientConfig,
      groupId: options.groupId,
      clientId: options.clientId,
      overrides: options.overrides,
      logLevel: logger.level,
    };
    this.thread = startThread(init);
    this.thread.on('message', (m: FromConsumerThread) => this.onMessage(m));
    this.thread.on('error', (e) => {
      this.threadError = e;
      this.onThreadGone(e);
    });
    this.thread.on('exit', (code) => {
      this.exited = true;
      this.wakePump?.();
      const gone = new Error(`The consumer thread has exited (code ${code})`, {
        cause: this.threadError ?? undefined,
      });
      if (code !== 0 && !this.threadError) this.onThreadGone(gone);
      for (const { reject } of this.calls.values()) reject(gone);
      this.calls.clear();
    });
  }

  connect(): Promise<void> {
    return this.call({ type: 'call', id: 0, op: 'connect' });
  }

  subscribe(subscription: Subscription): Promise<void> {
    return this.call({
      type: 'call',
      id: 0,
      op: 'subscribe',
      subscription:
        'pattern' in subscription
          ? { pattern: { source: subscription.pattern.source, flags: subscription.pattern.flags } }
          : { topics: subscription.topics },
    });
  }

  run(handlers: ConsumerHandlers): Promise<void> {
    this.handlers = handlers;
    return this.call({ type: 'call', id: 0, op: 'run' });
  }

  pause(partitions: readonly TopicPartitionRef[]): void {
    this.post({ type: 'pause', partitions: [...partitions] });
  }

  resume(partitions: readonly TopicPartitionRef[]): void {
    this.post({ type: 'resume', partitions: [...partitions] });
  }

  seek(offset: TopicPartitionOffset): void {
    const key = tpKey(offset);
    this.seekEpoch.set(key, (this.seekEpoch.get(key) ?? 0) + 1);
    this.dropPending((p) => tpKey(p) === key);
    this.post({
      type: 'seek',
      offset: { topic: offset.topic, partition: offset.partition, offset: offset.offset },
    });
  }

  commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    return this.call({ type: 'call', id: 0, op: 'commit', offsets: offsets.map((o) => ({ ...o })) });
  }

  assignment(): readonly TopicPartitionRef[] {
    return this.assigned;
  }

  async disconnect(): Promise<void> {
    if (this.exited) return;
    this.closing = true;
    this.wakePump?.();
    try {
      await this.call({ type: 'call', id: 0, op: 'disconnect' });
    } finally {
      await this.thread.terminate();
    }
  }

  private post(m: ToConsumerThread): void {
    if (!this.exited) this.thread.postMessage(m);
  }

  private call(m: Extract<ToConsumerThread, { type: 'call' }>): Promise<void> {
    if (this.exited)
      return Promise.reject(
        new Error('The consumer thread has exited', { cause: this.threadError ?? undefined }),
      );
    const id = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.thread.postMessage({ ...m, id });
    });
  }

  private onMessage(m: FromConsumerThread): void {
    switch (m.type) {
      case 'reply': {
        const pending = this.calls.get(m.id);
        this.calls.delete(m.id);
        if (m.error) pending?.reject(deserializeError(m.error));
        else pending?.resolve();
        return;
      }
      case 'assigned':
        this.assigned = m.partitions;
        this.rebalancing = false;
        this.answer(m.id, this.handlers!.onPartitionsAssigned(m.partitions));
        return;
      case 'revoked':
        // Stop the engine's current batch early, drop what is queued, revoke once it returned.
        this.rebalancing = true;
        this.dropPending(() => true);
        this.wakePump?.();
        this.answer(
          m.id,
          this.handling.then(() => this.handlers!.onPartitionsRevoked(m.partitions)),
        );
        return;
      case 'batch':
        this.pending.push(m.batch);
        void this.pump();
        return;
      case 'session':
        this.sessionExpiresAt = m.expiresAt;
        this.wakePump?.();
        return;
      case 'crash':
        this.handlers?.onCrash(deserializeError(m.error));
        return;
      case 'log':
        this.log(m.line);
        return;
    }
  }

  private answer(id: number, work: Promise<void>): void {
    work.then(
      () => this.post({ type: 'answer', id }),
      (e: unknown) => this.post({ type: 'answer', id, error: e instanceof Error ? e.message : String(e) }),
    );
  }

  /** Hands the pending batches to the engine one at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let next = this.pending[0]; next; next = this.pending[0]) {
        if (this.sessionExpired() && !this.closing && !this.exited) {
          // Held until the consumer thread confirms the membership, or revokes (dropping them).
          await new Promise<void>((resolve) => (this.wakePump = resolve));
          this.wakePump = null;
          continue;
        }
        this.pending.shift();
        this.post({ type: 'taken', bytes: packedSize(next) });
        const key = tpKey(next);
        if (this.rebalancing || next.seekEpoch < (this.seekEpoch.get(key) ?? 0)) continue;
        let resolved = next.fetchedOffset;
        const epoch = this.seekEpoch.get(key) ?? 0;
        const control: BatchControl = {
          // The consumer thread keeps the group membership alive on its own.
          heartbeat: () => Promise.resolve(),
          // Past the session, no put starts before the consumer thread confirmed the membership.
          rebalancing: () => this.rebalancing || this.closing || this.sessionExpired(),
          resolve: (nextOffset) => (resolved = nextOffset),
        };
        this.handling = this.handlers!.onBatch(unpackBatch(next), control).catch((e: unknown) =>
          this.handlers!.onCrash(e instanceof Error ? e : new Error(String(e))),
        );
        await this.handling;
        // The engine took less than the batch and did not seek itself: fetch again from where it stopped.
        if (resolved < next.nextOffset && !this.rebalancing && (this.seekEpoch.get(key) ?? 0) === epoch) {
          this.seek({ topic: next.topic, partition: next.partition, offset: resolved });
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private sessionExpired(): boolean {
    return Date.now() > this.sessionExpiresAt;
  }

  private dropPending(which: (p: PackedBatch) => boolean): void {
    const kept: PackedBatch[] = [];
    for (const p of this.pending) {
      if (which(p)) this.post({ type: 'taken', bytes: packedSize(p) });
      else kept.push(p);
    }
    this.pending = kept;
  }

  private log(line: string): void {
    try {
      const {
        level,
        msg,
        time: _time,
        pid: _pid,
        hostname: _host,
        // The thread's logger names the client too; this one already binds it (one key, once).
        client: _client,
        ...rest
      } = JSON.parse(line) as {
        level: number;
        msg?: string;
        [k: string]: unknown;
      };
      const name = this.logger.levels.labels[level] ?? 'info';
      (this.logger as unknown as Record<string, (o: object, m?: string) => void>)[name]?.(rest, msg);
    } catch {
      this.logger.info(line.trim());
    }
  }

  private onThreadGone(e: Error): void {
    if (!this.closing) this.handlers?.onCrash(e);
  }
}
