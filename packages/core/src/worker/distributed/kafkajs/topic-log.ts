import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { LogRecord, TopicLog } from '../internal-kafka.js';

// Kafka Connect's KafkaBasedLog over a kafkajs consumer. kafkajs cannot assign partitions without a
// group, so each reader joins a group of its own (never committed: it always replays from the
// beginning). The position of each partition follows kafkajs's end-of-batch events, which also fire
// for batches holding only transaction markers: after a transactional write the log end is one past
// the commit marker, and the reader must count it as read to know it caught up.

// Ends are re-checked at least this often, besides every end-of-batch event.
const RECHECK_MS = 1000;

export class KafkaJsTopicLog implements TopicLog {
  private readonly consumer: Consumer;
  private readonly positions = new Map<number, number>();
  private readonly waiters = new Set<() => void>();
  private crashed: Error | null = null;

  constructor(
    kafka: Kafka,
    /** The log end offset of each partition. */
    private readonly endOffsets: () => Promise<{ partition: number; high: string }[]>,
    private readonly topic: string,
    private readonly onRecords: (records: readonly LogRecord[]) => void,
    private readonly logger: Logger,
    groupPrefix: string,
    private readonly onCrash?: (error: Error) => void,
  ) {
    this.consumer = kafka.consumer({
      groupId: `${groupPrefix}-${randomUUID()}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
      // read_committed: a fenced leader's aborted writes are never applied.
      readUncommitted: false,
    });
  }

  async start(timeoutMs: number): Promise<void> {
    const { END_BATCH_PROCESS, CRASH } = this.consumer.events;
    this.consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      const next = Number(payload.lastOffset) + 1;
      if (next > (this.positions.get(payload.partition) ?? 0)) this.positions.set(payload.partition, next);
      for (const w of this.waiters) w();
    });
    this.consumer.on(CRASH, ({ payload }) => {
      if (payload.restart) return;
      this.crashed = payload.error;
      this.logger.error(
        { err: payload.error, topic: this.topic },
        `Reader of internal topic ${this.topic} stopped`,
      );
      for (const w of this.waiters) w();
      this.onCrash?.(payload.error);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const records: LogRecord[] = batch.messages.map((m) => ({
          key: m.key ? m.key.toString('utf8') : null,
          value: m.value ?? null,
          partition: batch.partition,
          offset: Number(m.offset),
        }));
        if (records.length > 0) this.onRecords(records);
      },
    });
    await this.readToEnd(timeoutMs);
  }

  async readToEnd(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const ends = await this.endOffsets();
    const behind = () =>
      ends
        .filter(({ partition, high }) => (this.positions.get(partition) ?? 0) < Number(high))
        .map((e) => e.partition);
    for (;;) {
      if (this.crashed)
        throw new Error(`The reader of ${this.topic} stopped: ${this.crashed.message}`, {
          cause: this.crashed,
        });
      const lagging = behind();
      if (lagging.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Could not read internal topic ${this.topic} to its end within ${timeoutMs} ms (partitions behind: ${lagging.join(', ')})`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, RECHECK_MS));
        this.waiters.add(wake);
      });
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
