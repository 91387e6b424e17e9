import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

// What we remember about a server we spawned. The start time (from /proc) guards against pid reuse:
// after a reboot or a long time, the same pid may belong to an unrelated process that we must not kill.
export interface PidRecord {
  service: string;
  pid: number;
  /** The process group the server leads (spawned detached, so pgid === pid). */
  pgid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks since boot when the process started. */
  startTicks: number;
  command: string;
  startedAt: string;
  logFile: string;
  dataDir: string;
  /** The ports it was started on, by name (records written before ports were configurable lack them). */
  ports?: Record<string, number>;
}

export function parseStatStartTicks(stat: string): number | undefined {
  // The command name (field 2) is in parentheses and may contain spaces or ')' itself,
  // so split after the last ')'. Fields after it start at field 3 (state).
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = stat.slice(close + 2).split(' ');
  const state = rest[0];
  if (state === 'Z' || state === 'X') return undefined; // zombie/dead: not running
  const ticks = Number(rest[22 - 3]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/** Start ticks of a running process, or undefined when there is no such (live) process. */
export function processStartTicks(pid: number): number | undefined {
  try {
    return parseStatStartTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when the recorded process is still the one we started. */
export function isRecordAlive(record: PidRecord, startTicksOf = processStartTicks): boolean {
  const ticks = startTicksOf(record.pid);
  return ticks !== undefined && ticks === record.startTicks;
}

export function parsePidRecord(text: string): PidRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<PidRecord>;
    if (
      typeof r.service !== 'string' ||
      !Number.isInteger(r.pid) ||
      !Number.isInteger(r.pgid) ||
      !Number.isInteger(r.startTicks) ||
      (r.pid as number) <= 1
    ) {
      return undefined;
    }
    return r as PidRecord;
  } catch {
    return undefined;
  }
}

export async function readPidRecord(file: string): Promise<PidRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  return parsePidRecord(text);
}

export async function writePidRecord(file: string, record: PidRecord): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(record, null, 2) + '\n');
}

export async function removePidRecord(file: string): Promise<void> {
  await rm(file, { force: true });
}
