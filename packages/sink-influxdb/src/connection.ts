import { DataException, runLimited, type ItemFailure, type SinkRecord } from '@sluice/core/sink';
import { cutBatches } from './batches.js';
import type { InfluxSinkConfig } from './config.js';
import type { Precision } from './timestamps.js';
import { InfluxLineWriter } from './writer.js';

// The kit hands `write` up to batch.points points of one precision (groupKey, batchSize) and keeps
// max.in.flight such writes going across puts, a later one for the same series and time after the
// earlier (orderingKey). Here a batch is cut again by bytes; when two of its points share a series and
// time, its requests go one after another, so that the later point lands last.

/** One point to write, and the record it comes from. */
export interface PointOp {
  readonly record: SinkRecord;
  readonly line: string;
  readonly precision: Precision;
  /** Precision, measurement, tags and time: points with the same identity overwrite each other. */
  readonly identity: string;
}

export class InfluxConnection {
  private readonly lines: InfluxLineWriter;

  constructor(private readonly config: InfluxSinkConfig) {
    this.lines = new InfluxLineWriter(config);
  }

  describeTarget(): string {
    return this.lines.describeTarget();
  }

  /** Resolves when InfluxDB acknowledged every point but the refused ones, which it returns (one per record). */
  async write(ops: readonly PointOp[]): Promise<ItemFailure[]> {
    const { batches, ordered } = cutBatches(
      ops.map((op, index) => ({
        item: index,
        line: op.line,
        precision: op.precision,
        identity: op.identity,
      })),
      this.config.batchPoints,
      this.config.batchBytes,
    );
    const jobs = batches.map((batch) => () => this.lines.write(batch));
    const refused = (await runLimited(jobs, ordered ? 1 : this.config.maxInFlight)).flat();
    // A record with several refused points goes to the DLQ once, with the first reason.
    const seen = new Set<SinkRecord>();
    const failures: ItemFailure[] = [];
    for (const r of refused) {
      const record = ops[r.item]!.record;
      if (seen.has(record)) continue;
      seen.add(record);
      failures.push({
        index: r.item,
        error: new DataException(`${r.reason}; the point was: ${truncate(r.line)}`),
      });
    }
    return failures;
  }
}

function truncate(line: string): string {
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
