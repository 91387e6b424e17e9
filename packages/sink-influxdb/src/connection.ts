import { DataException, runLimited, type ItemFailure, type SinkRecord } from '@sluice/core/sink';
import { cutBatches } from './batches.js';
import type { InfluxSinkConfig } from './config.js';
import type { Precision } from './timestamps.js';
import { InfluxLineWriter } from './writer.js';

// The kit hands `write` up to batch.points points of one precision (groupKey, batchSize), cut by
// characters (batchBytes: a line's length, which its UTF-8 size never undercuts), and keeps
// max.in.flight such writes going across puts, a later one for the same series and time after the
// earlier (orderingKey). Such a batch is one request when its body is within batch.bytes, which is
// measured once on the joined body: lines are not measured (nor flattened) one by one. Any other
// batch is cut here by bytes; when two of its points share a series and time, its requests go one
// after another, so that the later point lands last.

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
    const body = this.oneRequestBody(ops);
    const refused =
      body === null
        ? await this.writeCut(ops)
        : await this.lines.write({
            precision: ops[0]!.precision,
            lines: ops.map((op) => op.line),
            items: ops.map((_, index) => index),
            body,
          });
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

  /** The request body of the points when they fit one request (one precision, batch.points, batch.bytes). */
  private oneRequestBody(ops: readonly PointOp[]): string | null {
    if (ops.length === 0 || ops.length > this.config.batchPoints) return null;
    const precision = ops[0]!.precision;
    let chars = 0;
    for (const op of ops) {
      if (op.precision !== precision) return null;
      chars += op.line.length + 1;
    }
    // UTF-8 takes at least one byte per UTF-16 unit, so a body longer than the limit is too large.
    if (chars - 1 > this.config.batchBytes && ops.length > 1) return null;
    const body = ops.map((op) => op.line).join('\n');
    // A single point larger than batch.bytes goes alone.
    return ops.length === 1 || Buffer.byteLength(body) <= this.config.batchBytes ? body : null;
  }

  private async writeCut(ops: readonly PointOp[]) {
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
    return (await runLimited(jobs, ordered ? 1 : this.config.maxInFlight)).flat();
  }
}

function truncate(line: string): string {
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
