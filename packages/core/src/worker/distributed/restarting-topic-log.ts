import type { Logger } from 'pino';
import type { LogRecord, TopicLog } from './internal-kafka.js';

// Kafka Connect restarts a KafkaBasedLog whose consumer died; without that, a worker keeps its group
// membership while it no longer learns of config or status changes. This wraps the reader of one
// internal topic: when it crashes, a new reader is opened after a back-off (doubling up to a cap), the
// records it replays that were already handed over are skipped, and `healthy()` is false meanwhile.

export type OpenTopicLog = (
  onRecords: (records: readonly LogRecord[]) => void,
  onCrash: (error: Error) => void,
) => TopicLog;

export interface RestartBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export class RestartingTopicLog implements TopicLog {
  private current: TopicLog;
  private down: Error | null = null;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The next offset to hand over, per partition. */
  private readonly positions = new Map<number, number>();

  constructor(
    private readonly open: OpenTopicLog,
    private readonly onRecords: (records: readonly LogRecord[]) => void,
    private readonly topic: string,
    private readonly logger: Logger,
    private readonly backoff: RestartBackoff = { initialMs: 1000, maxMs: 30_000 },
    private readonly startTimeoutMs = 60_000,
  ) {
    this.current = this.openReader();
  }

  /** False while the reader is down and waiting to be restarted. */
  healthy(): boolean {
    return this.down === null;
  }

  /** Why the reader is down, or null. */
  problem(): string | null {
    return (
      this.down &&
      `the reader of internal topic ${this.topic} stopped (${this.down.message}) and is being restarted`
    );
  }

  start(timeoutMs: number): Promise<void> {
    return this.current.start(timeoutMs);
  }

  readToEnd(timeoutMs: number): Promise<void> {
    if (this.down)
      return Promise.reject(new Error(`Cannot read internal topic ${this.topic}: ${this.problem()}`));
    return this.current.readToEnd(timeoutMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current.stop();
  }

  private openReader(): TopicLog {
    const reader: TopicLog = this.open(
      (records) => this.handOver(records),
      (error) => this.crashed(reader, error),
    );
    return reader;
  }

  private handOver(records: readonly LogRecord[]): void {
    const fresh = records.filter((r) => r.offset >= (this.positions.get(r.partition) ?? 0));
    for (const r of fresh) this.positions.set(r.partition, r.offset + 1);
    if (fresh.length > 0) this.onRecords(fresh);
  }

  private crashed(reader: TopicLog, error: Error): void {
    if (this.stopped || reader !== this.current || this.down) return;
    this.down = error;
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.attempt);
    this.attempt++;
    this.logger.warn(
      { topic: this.topic, delayMs: delay },
      `Restarting the reader of internal topic ${this.topic} in ${delay} ms`,
    );
    this.timer = setTimeout(() => void this.restart(), delay);
    this.timer.unref();
  }

  private async restart(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    await this.current.stop().catch(() => undefined);
    this.current = this.openReader();
    try {
      await this.current.start(this.startTimeoutMs);
    } catch (e) {
      if (this.stopped) return;
      this.logger.error(
        { err: e, topic: this.topic },
        `Could not restart the reader of internal topic ${this.topic}`,
      );
      this.scheduleRestart();
      return;
    }
    this.logger.info({ topic: this.topic }, `The reader of internal topic ${this.topic} is running again`);
    this.down = null;
    this.attempt = 0;
  }
}
