import { execFileSync, spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { processStartTicks, type PidRecord } from './pid-record.js';
import type { StartSpec } from '../service.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Spawned {
  pid: number;
  startTicks: number;
  /** Resolves with the exit description if the process dies while we are still watching it. */
  exited: Promise<string>;
}

function resolveUser(user: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Spawn a server detached (own session and process group, so it outlives the CLI and `down` can signal
 * the whole group), with stdout/stderr appended to its log file.
 */
export async function spawnServer(spec: StartSpec, logFile: string): Promise<Spawned> {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(spec.user ? resolveUser(spec.user) : {}),
    });
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) =>
        resolve(signal ? `killed by ${signal}` : `exited with code ${code}`),
      );
      child.once('error', (err) => resolve(`could not be started: ${err.message}`));
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    const pid = child.pid as number;
    const startTicks = processStartTicks(pid);
    if (startTicks === undefined) throw new Error(`${spec.command} exited immediately after start`);
    return { pid, startTicks, exited };
  } finally {
    closeSync(fd);
  }
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(100);
  }
  return check();
}

/**
 * Stop a server we started, by its recorded pid: SIGTERM to its process group, then SIGKILL after the
 * grace period. Does nothing when the recorded process is gone or the pid now belongs to someone else.
 * Returns how it ended.
 */
export async function stopServer(
  record: PidRecord,
  graceMs = 20_000,
): Promise<'not-running' | 'terminated' | 'killed'> {
  if (processStartTicks(record.pid) !== record.startTicks) return 'not-running';
  signalGroup(record.pgid, 'SIGTERM');
  if (await waitUntil(() => !groupExists(record.pgid), graceMs)) return 'terminated';
  signalGroup(record.pgid, 'SIGKILL');
  if (!(await waitUntil(() => !groupExists(record.pgid), 5_000))) {
    throw new Error(`${record.service} (pid ${record.pid}) survived SIGKILL; stop it by hand`);
  }
  return 'killed';
}
