// The one shape every benchmark keeps its results in, and where they go: bench/results/<suite>-<UTC
// timestamp>.json. `npm run bench:report` reads the newest file of each suite to draw
// docs/performance.md, so a suite's numbers are comparable across runs and machines only because they
// all say the same things: what ran (config), on what (machine, versions), every run (not just the
// best), the medians and the ratios. bench.mjs skips files starting with `_`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './_measure.js';

export const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/results');

/** What one run of one subject measured. Absent measures were not taken (e.g. RSS of an in-process client). */
export interface BenchMeasures {
  recordsPerSec: number;
  /** User+system CPU seconds per million records, of the process under test. */
  cpuSecondsPerMillion?: number;
  peakRssMiB?: number;
}

/** One timed run. `case` groups runs compared with each other (a sink, a converter, a format). */
export interface BenchRun extends BenchMeasures {
  case: string;
  /** Who ran: `sluice`, `raw` (the store's ceiling through its own client), `java`, a client name... */
  subject: string;
  /** 1-based index of the alternation round this run belongs to. */
  round: number;
  records: number;
  seconds: number;
}

export interface BenchResult {
  suite: string;
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; os: string };
  versions: { node: string; commit?: string; java?: string; [name: string]: string | undefined };
  config: Record<string, unknown>;
  runs: BenchRun[];
  /** case → subject → the median of each measure over the rounds. */
  medians: Record<string, Record<string, BenchMeasures>>;
  /**
   * case → `<subject>/<reference>.<measure>` → the ratio of the medians, e.g. `sluice/java.recordsPerSec`;
   * with `pairRatios`, also `<subject>/<reference>, median of pair ratios.recordsPerSec`.
   */
  ratios: Record<string, Record<string, number>>;
  /** Free text the report shows under the suite: targets, what did not run and why. */
  notes?: string[];
}

/**
 * The runs of alternated (raw, sluice) pairs, pair i being round i, for the sink benchmarks. A rate
 * measured over part of the records (first → last commit) gets `seconds` = records ÷ rate, the time the
 * whole set would take at that rate.
 */
export function alternatedRuns(
  caseName: string,
  records: number,
  pairs: readonly { raw: BenchMeasures; sluice: BenchMeasures }[],
): BenchRun[] {
  const run = (subject: string, round: number, m: BenchMeasures): BenchRun => {
    const out: BenchRun = {
      case: caseName,
      subject,
      round,
      records,
      seconds: records / m.recordsPerSec,
      recordsPerSec: m.recordsPerSec,
    };
    if (m.cpuSecondsPerMillion !== undefined && Number.isFinite(m.cpuSecondsPerMillion))
      out.cpuSecondsPerMillion = m.cpuSecondsPerMillion;
    if (m.peakRssMiB !== undefined && Number.isFinite(m.peakRssMiB)) out.peakRssMiB = m.peakRssMiB;
    return out;
  };
  return pairs.flatMap((p, i) => [run('raw', i + 1, p.raw), run('sluice', i + 1, p.sluice)]);
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** Medians per case and subject of every measure the runs have. */
export function mediansOf(runs: readonly BenchRun[]): BenchResult['medians'] {
  const out: BenchResult['medians'] = {};
  const groups = new Map<string, BenchRun[]>();
  for (const run of runs) {
    const key = JSON.stringify([run.case, run.subject]);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  for (const [key, group] of groups) {
    const [c, subject] = JSON.parse(key) as [string, string];
    const measures: BenchMeasures = { recordsPerSec: median(group.map((r) => r.recordsPerSec)) };
    for (const m of ['cpuSecondsPerMillion', 'peakRssMiB'] as const) {
      const values = group
        .map((r) => r[m])
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (values.length > 0) measures[m] = median(values);
    }
    (out[c] ??= {})[subject] = measures;
  }
  return out;
}

/** Ratios `subject ÷ reference` of the medians, for each case that has both, per measure both have. */
export function ratiosOf(
  medians: BenchResult['medians'],
  subject: string,
  reference: string,
): BenchResult['ratios'] {
  const out: BenchResult['ratios'] = {};
  for (const [c, bySubject] of Object.entries(medians)) {
    const a = bySubject[subject];
    const b = bySubject[reference];
    if (!a || !b) continue;
    for (const m of ['recordsPerSec', 'cpuSecondsPerMillion', 'peakRssMiB'] as const) {
      const x = a[m];
      const y = b[m];
      if (typeof x === 'number' && typeof y === 'number' && y !== 0)
        (out[c] ??= {})[`${subject}/${reference}.${m}`] = x / y;
    }
  }
  return out;
}

/**
 * Per case, the median over the rounds of `subject ÷ reference` records/s within each round (a pair run
 * back to back sees the same machine load, so one disturbed pair moves this less than the medians'
 * ratio), keyed `<subject>/<reference>, median of pair ratios.recordsPerSec`.
 */
export function pairRatiosOf(
  runs: readonly BenchRun[],
  subject: string,
  reference: string,
): BenchResult['ratios'] {
  const out: BenchResult['ratios'] = {};
  for (const c of new Set(runs.map((r) => r.case))) {
    const ratios: number[] = [];
    for (const round of new Set(runs.filter((r) => r.case === c).map((r) => r.round))) {
      const of = (who: string) => runs.find((r) => r.case === c && r.round === round && r.subject === who);
      const a = of(subject);
      const b = of(reference);
      if (a && b && b.recordsPerSec !== 0) ratios.push(a.recordsPerSec / b.recordsPerSec);
    }
    if (ratios.length > 0)
      (out[c] ??= {})[`${subject}/${reference}, median of pair ratios.recordsPerSec`] = median(ratios);
  }
  return out;
}

/**
 * Completes a result with the machine, the versions and the medians (and, when `compare` is given, the
 * ratios), writes it to bench/results/<suite>-<UTC timestamp>.json and returns the path.
 */
export function writeBenchResult(input: {
  suite: string;
  config: Record<string, unknown>;
  runs: BenchRun[];
  /** Pairs [subject, reference] to compute ratios for, e.g. [['sluice', 'raw']]. */
  compare?: [string, string][];
  /** Pairs [subject, reference] to also store the median of the per-round ratios for (pairRatiosOf). */
  pairRatios?: [string, string][];
  versions?: Record<string, string>;
  notes?: string[];
}): string {
  const medians = mediansOf(input.runs);
  const ratios: BenchResult['ratios'] = {};
  for (const [subject, reference] of input.compare ?? []) {
    for (const [c, r] of Object.entries(ratiosOf(medians, subject, reference)))
      Object.assign((ratios[c] ??= {}), r);
  }
  for (const [subject, reference] of input.pairRatios ?? []) {
    for (const [c, r] of Object.entries(pairRatiosOf(input.runs, subject, reference)))
      Object.assign((ratios[c] ??= {}), r);
  }
  const date = new Date();
  const result: BenchResult = {
    suite: input.suite,
    date: date.toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
    },
    versions: { node: process.version, commit: gitCommit(), ...input.versions },
    config: input.config,
    runs: input.runs,
    medians,
    ratios,
    ...(input.notes?.length ? { notes: input.notes } : {}),
  };
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${input.suite}-${date.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results written to ${path.relative(process.cwd(), file)}`);
  return file;
}

/** The newest stored result of each suite that uses this shape (older ad-hoc files are skipped). */
export function newestResults(): Map<string, BenchResult> {
  const newest = new Map<string, BenchResult>();
  let files: string[] = [];
  try {
    files = readdirSync(resultsDir).filter((f) => f.endsWith('.json'));
  } catch {
    return newest;
  }
  for (const f of files) {
    let parsed: Partial<BenchResult>;
    try {
      parsed = JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')) as Partial<BenchResult>;
    } catch {
      continue;
    }
    if (typeof parsed.suite !== 'string' || !Array.isArray(parsed.runs) || typeof parsed.date !== 'string')
      continue;
    const seen = newest.get(parsed.suite);
    if (!seen || seen.date < parsed.date) newest.set(parsed.suite, parsed as BenchResult);
  }
  return newest;
}
