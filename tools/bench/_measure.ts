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

/** What measureUntilCommitted needs of a running worker (StandaloneWorker has it). */
export interface MeasuredWorker {
  readonly pid: number | undefined;
  output(): string;
}

/** Reads how many records of a topic a consumer group has committed (KafkaTestClient has it). */
export interface CommitReader {
  committedRecords(group: string, topic: string): Promise<number>;
}

/** A worker's run from its start to every record committed, with the first commit seen on the way. */
export interface CommittedRun {
  records: number;
  started: number;
  /** When the first commit was seen, and how many records it covered. */
  first: number;
  firstCount: number;
  done: number;
  /** The worker's user+system CPU seconds over the whole run, and from the first commit on. */
  cpuSeconds: number;
  cpuSecondsAfterFirst: number;
  peakRssMiB: number;
}

/**
 * Waits, from the moment it is called (right after the worker started), until the worker's consumer
 * group committed every record of the topic. Offsets are committed only after the store acknowledged
 * the records, so this times delivered, not fetched, records. Prints a progress line every 5 s; on a
 * timeout prints the worker's last output.
 */
export async function measureUntilCommitted(
  worker: MeasuredWorker,
  kafka: CommitReader,
  options: { group: string; topic: string; records: number; intervalMs?: number; timeoutMs?: number },
): Promise<CommittedRun> {
  const { group, topic, records } = options;
  const cpu = () => (worker.pid ? cpuSeconds(worker.pid) : NaN);
  const started = performance.now();
  const cpuAtStart = cpu();
  let first = 0;
  let firstCount = 0;
  let cpuAtFirst = NaN;
  let shown = started;
  const deadline = started + (options.timeoutMs ?? 30 * 60_000);
  for (;;) {
    const n = await kafka.committedRecords(group, topic);
    const now = performance.now();
    if (n > 0 && first === 0) [first, firstCount, cpuAtFirst] = [now, n, cpu()];
    if (n >= records) break;
    if (now - shown >= 5000) {
      shown = now;
      const rate =
        first > 0 && n > firstCount ? ` (${((n - firstCount) / ((now - first) / 1000)).toFixed(0)}/s)` : '';
      console.log(`    ${n} / ${records} committed after ${((now - started) / 1000).toFixed(0)} s${rate}`);
    }
    if (now > deadline) {
      console.error(worker.output().slice(-4000));
      throw new Error(
        `${records} records were not committed by ${group} within ${options.timeoutMs ?? 30 * 60_000} ms (${n} were)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
  const done = performance.now();
  const cpuAtEnd = cpu();
  return {
    records,
    started,
    first,
    firstCount,
    done,
    cpuSeconds: cpuAtEnd - cpuAtStart,
    cpuSecondsAfterFirst: cpuAtEnd - cpuAtFirst,
    peakRssMiB: worker.pid ? peakRssMiB(worker.pid) : NaN,
  };
}
