import type { Logger } from 'pino';
import { ConnectException } from '../errors.js';
import type { KafkaAdmin, KafkaProducer, ProducedRecord, RawHeader } from '../kafka/port.js';
import { exceptionClassName, type ErrorContext, type ErrorReporter } from './error-context.js';

// Kafka Connect's DeadLetterQueueReporter: the failed record goes to the DLQ topic as it was consumed
// (raw key/value bytes, headers, timestamp), optionally with `__connect.errors.*` context headers.

const HEADER_PREFIX = '__connect.errors.';
export const DLQ_HEADERS = {
  topic: `${HEADER_PREFIX}topic`,
  partition: `${HEADER_PREFIX}partition`,
  offset: `${HEADER_PREFIX}offset`,
  connectorName: `${HEADER_PREFIX}connector.name`,
  taskId: `${HEADER_PREFIX}task.id`,
  stage: `${HEADER_PREFIX}stage`,
  className: `${HEADER_PREFIX}class.name`,
  exceptionClassName: `${HEADER_PREFIX}exception.class.name`,
  exceptionMessage: `${HEADER_PREFIX}exception.message`,
  exceptionStacktrace: `${HEADER_PREFIX}exception.stacktrace`,
} as const;

/**
 * Records reported and not yet acknowledged by the DLQ topic, at most. While the queue is full the
 * engine stops fetching (`room()`), as the Java producer blocks on a full `buffer.memory` (32 MiB).
 */
export const DLQ_QUEUE_LIMITS = { records: 10_000, bytes: 32 * 1024 * 1024 } as const;

/** Kafka's producer default for delivery.timeout.ms: a DLQ write not acknowledged by then fails. */
export const DLQ_DELIVERY_TIMEOUT_MS = 120_000;

export interface DeadLetterQueueOptions {
  connectorName: string;
  taskId: number;
  topic: string;
  replicationFactor: number;
  contextHeaders: boolean;
  producer: KafkaProducer;
  admin: KafkaAdmin;
  logger: Logger;
  /** Called once per record written. */
  onWritten?: () => void;
  /** Queue bounds (default DLQ_QUEUE_LIMITS). */
  limits?: { records: number; bytes: number };
  /** How long one write may take before it fails the task (the producer's delivery.timeout.ms). */
  deliveryTimeoutMs?: number;
}

/** Where a queued record came from: enough to name it in an error, without pinning the consumed record. */
interface Source {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

interface Pending {
  record: ProducedRecord;
  source: Source;
  bytes: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * Writes are sent one request at a time, each carrying every record reported meanwhile, so the DLQ
 * keeps the order in which records failed and a burst of failures costs few round trips.
 */
export class DeadLetterQueue implements ErrorReporter {
  private queue: Pending[] = [];
  private sending = false;
  /** Reported and not yet acknowledged (queued or being sent). */
  private queuedRecords = 0;
  private queuedBytes = 0;
  private roomWaiters: (() => void)[] = [];
  private stopped = false;
  private readonly limits: { records: number; bytes: number };
  private readonly deliveryTimeoutMs: number;

  constructor(private readonly opts: DeadLetterQueueOptions) {
    this.limits = opts.limits ?? DLQ_QUEUE_LIMITS;
    this.deliveryTimeoutMs = opts.deliveryTimeoutMs ?? DLQ_DELIVERY_TIMEOUT_MS;
  }

  /** True while the queue holds as many records or bytes as allowed. */
  full(): boolean {
    return this.queuedRecords >= this.limits.records || this.queuedBytes >= this.limits.bytes;
  }

  /** Resolves once the queue has room again (at once when it has), or the queue stops, or `signal` aborts. */
  room(signal?: AbortSignal): Promise<void> {
    if (!this.full() || this.stopped || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.roomWaiters.push(done);
    });
  }

  private released(batch: readonly Pending[]): void {
    for (const p of batch) {
      this.queuedRecords--;
      this.queuedBytes -= p.bytes;
    }
    if (!this.full()) this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  /** Connects and creates the topic (1 partition) when it does not exist. */
  async start(): Promise<void> {
    const { admin, producer, topic, replicationFactor, logger } = this.opts;
    await admin.connect();
    try {
      const created = await admin.createTopics([{ topic, numPartitions: 1, replicationFactor }]);
      if (created.length > 0)
        logger.info({ topic, replicationFactor }, 'Created the dead letter queue topic');
    } catch (e) {
      throw new ConnectException(
        `Could not create the dead letter queue topic '${topic}' with replication factor ${replicationFactor} ` +
          `(errors.deadletterqueue.topic.replication.factor must not exceed the number of brokers): ${(e as Error).message}`,
        { cause: e },
      );
    } finally {
      await admin.disconnect();
    }
    await producer.connect();
  }

  report(ctx: ErrorContext): Promise<void> {
    const { message } = ctx.record;
    // Copies: the consumed key, value and headers are views into a whole fetch response, which a
    // queued record would otherwise keep alive.
    const headers: RawHeader[] = message.headers.map((h) => ({ key: h.key, value: copy(h.value) }));
    if (this.opts.contextHeaders) headers.push(...this.contextHeaders(ctx));
    const record: ProducedRecord = {
      topic: this.opts.topic,
      key: copy(message.key),
      value: copy(message.value),
      headers,
      ...(message.timestamp >= 0 ? { timestamp: message.timestamp } : {}),
    };
    let bytes = (record.key?.length ?? 0) + (record.value?.length ?? 0) + 64;
    for (const h of headers) bytes += h.key.length + (h.value?.length ?? 0);
    const source: Source = {
      topic: ctx.record.topic,
      partition: ctx.record.partition,
      offset: message.offset,
    };
    this.queuedRecords++;
    this.queuedBytes += bytes;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, source, bytes, resolve, reject });
      if (!this.sending) void this.sendQueued();
    });
  }

  private async sendQueued(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          this.opts.producer.send(batch.map((p) => p.record)),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  new Error(
                    `the write was not acknowledged within ${this.deliveryTimeoutMs} ms (delivery.timeout.ms)`,
                  ),
                ),
              this.deliveryTimeoutMs,
            );
          }),
        ]);
        for (const p of batch) {
          this.opts.onWritten?.();
          p.resolve();
        }
      } catch (e) {
        for (const p of batch) p.reject(this.writeFailure(p.source, e));
      } finally {
        clearTimeout(timer);
        this.released(batch);
      }
    }
    this.sending = false;
  }

  private writeFailure(source: Source, e: unknown): ConnectException {
    return new ConnectException(
      `Could not write the failed record of topic '${source.topic}' partition ${source.partition} offset ${source.offset} ` +
        `to the dead letter queue topic '${this.opts.topic}': ${(e as Error).message}. Check that the topic is writable by this worker.`,
      { cause: e },
    );
  }

  private contextHeaders(ctx: ErrorContext): RawHeader[] {
    const h = (key: string, value: string): RawHeader => ({ key, value: Buffer.from(value, 'utf8') });
    const { record, error } = ctx;
    const out = [
      h(DLQ_HEADERS.topic, record.topic),
      h(DLQ_HEADERS.partition, String(record.partition)),
      h(DLQ_HEADERS.offset, String(record.message.offset)),
      h(DLQ_HEADERS.connectorName, this.opts.connectorName),
      h(DLQ_HEADERS.taskId, String(this.opts.taskId)),
      h(DLQ_HEADERS.stage, ctx.stage),
      h(DLQ_HEADERS.className, ctx.executingClass),
    ];
    out.push(h(DLQ_HEADERS.exceptionClassName, exceptionClassName(error)));
    if (error.message) out.push(h(DLQ_HEADERS.exceptionMessage, error.message));
    if (error.stack) out.push(h(DLQ_HEADERS.exceptionStacktrace, error.stack));
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeRoomWaiters();
    await this.opts.producer.disconnect();
  }
}

function copy(b: Buffer | null): Buffer | null {
  return b === null ? null : Buffer.from(b);
}
