import type { Precision } from './timestamps.js';

// A put's points as write requests: one precision per request (InfluxDB reads the precision from the
// URL), at most `maxPoints` lines and `maxBytes` bytes each (a single larger line goes alone).
// `ordered` says whether the requests must run one after another: when two points of the put share a
// series and time, the later one must land last, as it would in Stream Reactor's single write.

export interface PointLine<T> {
  readonly item: T;
  readonly line: string;
  readonly precision: Precision;
  /** Measurement, tags and time: points with the same identity overwrite each other. */
  readonly identity: string;
}

export interface Batch<T> {
  readonly precision: Precision;
  readonly lines: string[];
  readonly items: T[];
}

export interface Batches<T> {
  readonly batches: Batch<T>[];
  readonly ordered: boolean;
}

export function cutBatches<T>(
  points: readonly PointLine<T>[],
  maxPoints: number,
  maxBytes: number,
): Batches<T> {
  const open = new Map<Precision, { batch: Batch<T>; bytes: number }>();
  const batches: Batch<T>[] = [];
  const seen = new Set<string>();
  let ordered = false;
  for (const p of points) {
    if (!ordered) {
      if (seen.has(p.identity)) ordered = true;
      else seen.add(p.identity);
    }
    const size = Buffer.byteLength(p.line) + 1;
    let current = open.get(p.precision);
    if (
      !current ||
      current.batch.lines.length >= maxPoints ||
      (current.bytes + size > maxBytes && current.batch.lines.length > 0)
    ) {
      current = { batch: { precision: p.precision, lines: [], items: [] }, bytes: 0 };
      open.set(p.precision, current);
      batches.push(current.batch);
    }
    current.batch.lines.push(p.line);
    current.batch.items.push(p.item);
    current.bytes += size;
  }
  return { batches, ordered };
}
