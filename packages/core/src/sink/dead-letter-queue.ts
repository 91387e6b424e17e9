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
}

interface Pending {
  record: ProducedRecord;
  ctx: ErrorContext;
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

  constructor(private readonly opts: DeadLetterQueueOptions) {}

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
    const headers: RawHeader[] = [...message.headers];
    if (this.opts.contextHeaders) headers.push(...this.contextHeaders(ctx));
    const record: ProducedRecord = {
      topic: this.opts.topic,
      key: message.key,
      value: message.value,
      headers,
      ...(message.timestamp >= 0 ? { timestamp: message.timestamp } : {}),
    };
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, ctx, resolve, reject });
      if (!this.sending) void this.sendQueued();
    });
  }

  private async sendQueued(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.opts.producer.send(batch.map((p) => p.record));
        for (const p of batch) {
          this.opts.onWritten?.();
          p.resolve();
        }
      } catch (e) {
        for (const p of batch) p.reject(this.writeFailure(p.ctx, e));
      }
    }
    this.sending = false;
  }

  private writeFailure({ record }: ErrorContext, e: unknown): ConnectException {
    return new ConnectException(
      `Could not write the failed record of topic '${record.topic}' partition ${record.partition} offset ${record.message.offset} ` +
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
    await this.opts.producer.disconnect();
  }
}
