import type { SinkRecord, TaskLogger } from './api.js';

// `connect.progress.enabled` (spec §1.4): per-task cumulative record counts per topic, logged at most
// once per interval as `Delivered [n] records for [topic] since <task start>`.

export const PROGRESS_ENABLED_CONFIG = 'connect.progress.enabled';
const DEFAULT_INTERVAL_MS = 60_000;

export interface ProgressCounterOptions {
  readonly logger: TaskLogger;
  readonly intervalMs?: number;
  /** Injectable clock (tests). */
  readonly now?: () => number;
}

export class ProgressCounter {
  private readonly counts = new Map<string, number>();
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly startedAt: number;
  private lastReport: number;

  constructor(private readonly options: ProgressCounterOptions) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.startedAt = this.now();
    this.lastReport = this.startedAt;
  }

  /** Counts a delivered batch and logs the totals when the interval has passed. */
  update(records: readonly SinkRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) this.counts.set(r.topic, (this.counts.get(r.topic) ?? 0) + 1);
    const now = this.now();
    if (now - this.lastReport < this.intervalMs) return;
    this.lastReport = now;
    const since = new Date(this.startedAt).toISOString();
    for (const [topic, count] of this.counts) {
      this.options.logger.info(`Delivered [${count}] records for [${topic}] since ${since}`);
    }
  }

  /** Cumulative count per topic since the task started. */
  totals(): ReadonlyMap<string, number> {
    return this.counts;
  }

  clear(): void {
    this.counts.clear();
  }
}
