import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { lastLines } from './log-tail.js';
import { servicePaths } from './paths.js';
import { sharedPorts } from './ports.js';
import type { Progress } from './progress.js';
import type { ServiceContext, ServiceDefinition } from '../service.js';

/**
 * The ServiceContext of a shared server handed to its module: its directories, its ports (those it was
 * started on when `ports` comes from its pid record, else the defaults and overrides), progress output
 * and a command runner.
 */
export function contextFor(
  cacheDir: string,
  def: Pick<ServiceDefinition, 'name' | 'ports'>,
  progress?: Progress,
  ports?: Readonly<Record<string, number>>,
): ServiceContext {
  const paths = servicePaths(cacheDir, def.name);
  return {
    cacheDir,
    installDir: paths.installDir,
    dataDir: paths.dataDir,
    logFile: paths.logFile,
    ports: ports ?? sharedPorts(def.name, def.ports),
    instance: 'shared',
    progress: (message) => progress?.update(message),
    run: (cmd, args, opts) => runLogged(paths.logFile, cmd, args, opts),
  };
}

/** Create the directories a context points at (status and info need none of them). */
export async function makeContextDirs(ctx: ServiceContext): Promise<void> {
  for (const dir of [ctx.installDir, ctx.dataDir, path.dirname(ctx.logFile)])
    await mkdir(dir, { recursive: true });
}

/** Run a command to completion with its output appended to `logFile`; on failure, throw with its last lines. */
export async function runLogged(
  logFile: string,
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<void> {
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`\n$ ${cmd} ${args.join(' ')}\n`);
  let recent = '';
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    recent = (recent + chunk.toString('utf8')).slice(-8192);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(cmd, args, {
        cwd: opts.cwd,
        env: { ...process.env, ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.once('error', (err) => reject(new Error(`${cmd} could not be run: ${err.message}`)));
      child.once('close', (code, signal) => {
        if (code === 0) resolve();
        else
          reject(
            new Error(
              `\`${cmd} ${args.join(' ')}\` failed (${signal ?? `exit ${code}`}); its last output:\n${lastLines(recent, 20)}`,
            ),
          );
      });
    });
  } finally {
    await new Promise((r) => log.end(r));
  }
}
