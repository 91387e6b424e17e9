// What every benchmark in tools/bench measures the same way: the ~1 KB JSON record they all send, a
// process's CPU seconds and peak RSS (from /proc), and the median of the per-pair results. bench.mjs
// skips files starting with `_`, so this is not a benchmark of its own.
import { readFileSync } from 'node:fs';

/** A ~1 KB JSON document: a few typed fields, a nested object, an array and padding text. */
export function benchRecord(i: number): string {
  return JSON.stringify({
    id: i,
    sensor: `sensor-${i % 1000}`,
    ts: 1_700_000_000_000 + i,
    reading: { temperature: 20 + (i % 10) / 10, humidity: 40 + (i % 7), ok: i % 2 === 0 },
    tags: ['bench', `shard-${i % 16}`, 'json'],
    payload: 'x'.repeat(820),
  });
}

/** User+system CPU seconds the process has used, to tell a busy worker from a waiting one. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The process's peak resident set (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** The median (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Records/s from the first offset commit to the last, counting only the records committed after the
 * first one (those of the first commit were written before the clock started). When the first commit
 * already covered every record there is no such span: the whole run from the worker's start is used.
 */
export function rateAfterFirstCommit(run: {
  records: number;
  /** When the worker was started. */
  started: number;
  /** When the first commit was seen, and how many records it covered. */
  first: number;
  firstCount: number;
  done: number;
}): number {
  return run.firstCount < run.records
    ? (run.records - run.firstCount) / ((run.done - run.first) / 1000)
    : run.records / ((run.done - run.started) / 1000);
}
