import { recordError, type SinkRecord } from '@sluice/core';
import { cutBatches, type PointLine } from './batches.js';
import type { InfluxSinkConfig } from './config.js';
import { seriesAndTime, toLine } from './line-protocol.js';
import type { RoutedPoint } from './points.js';
import { InfluxLineWriter } from './writer.js';

// A put's points → write requests (cut by points and bytes, a few in flight) → the records InfluxDB
// refused. Resolves only when InfluxDB acknowledged every other point, so offsets never pass an
// unwritten record.

export interface RecordPoints {
  readonly record: SinkRecord;
  readonly points: readonly RoutedPoint[];
}

export interface RefusedRecord {
  readonly record: SinkRecord;
  readonly error: Error;
}

export class InfluxPointWriter {
  private readonly lines: InfluxLineWriter;

  constructor(
    private readonly config: InfluxSinkConfig,
    private readonly connectorName: string,
  ) {
    this.lines = new InfluxLineWriter(config);
  }

  describeTarget(): string {
    return this.lines.describeTarget();
  }

  async write(writes: readonly RecordPoints[]): Promise<RefusedRecord[]> {
    const points: PointLine<SinkRecord>[] = [];
    for (const w of writes) {
      for (const p of w.points) {
        points.push({
          item: w.record,
          line: toLine(p),
          precision: p.precision,
          identity: `${p.precision} ${seriesAndTime(p)}`,
        });
      }
    }
    const { batches, ordered } = cutBatches(points, this.config.batchPoints, this.config.batchBytes);
    const jobs = batches.map((b) => () => this.lines.write(b));
    const refused = (await runLimited(jobs, ordered ? 1 : this.config.maxInFlight)).flat();
    // A record with several points is reported once, with the first reason.
    const byRecord = new Map<SinkRecord, RefusedRecord>();
    for (const r of refused) {
      if (byRecord.has(r.item)) continue;
      byRecord.set(r.item, {
        record: r.item,
        error: recordError(
          r.item,
          { connectorName: this.connectorName },
          `${r.reason}; the point was: ${truncate(r.line)}`,
        ),
      });
    }
    return [...byRecord.values()];
  }
}

function truncate(line: string): string {
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Runs jobs with at most `limit` in flight; rejects with the first failure after all settled. */
async function runLimited<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < jobs.length && failure === undefined) {
      const i = next++;
      try {
        results[i] = await jobs[i]!();
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  if (failure !== undefined) throw failure;
  return results;
}
