import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { contextFor, makeContextDirs, runLogged } from './context.js';
import { withServiceLock } from './lock.js';
import { startServer } from './manager.js';
import { processStartTicks, readPidRecord, removePidRecord } from './pid-record.js';
import { freePorts } from './ports.js';
import { checkPrerequisites } from './prerequisites.js';
import { stopServer } from './processes.js';
import { Progress } from './progress.js';
import { ServiceError } from './service-error.js';
import { servicePaths } from './paths.js';
import type { ServiceContext, ServiceDefinition, ServiceInfo } from '../service.js';

// A test's own server of a service, beside the shared one: installed from the same cache, on free ports,
// with its data under <cache>/private/<id>/. An outage test stops and starts it at will; the shared
// server, which other tests are using at that moment, is never touched.
//   <cache>/private/<id>/data/        the instance's data (kept across stop/start, removed by dispose)
//   <cache>/private/<id>/server.log   its output
//   <cache>/private/<id>/server.json  its pid record while it runs
//   <cache>/private/<id>/owner.json   the process that created it: a dead owner's instances are removed

export interface PrivateInstance {
  /** Where it listens: the same shape as the shared server's info, on this instance's own ports. */
  info: ServiceInfo;
  /** Stop the server (SIGTERM, SIGKILL after 20 s), keeping its data and ports. Does nothing when stopped. */
  stop(): Promise<void>;
  /** Start it again on the same ports with the same data dir and wait until healthy. Does nothing when it runs. */
  start(): Promise<void>;
  /** Stop it and remove its data; the instance cannot be started again. */
  dispose(): Promise<void>;
}

export interface PrivateOptions {
  cacheDir: string;
  /** Ports no private instance may take (the shared servers'). */
  avoidPorts?: ReadonlySet<number>;
  /** Where progress lines go (stderr by default). */
  log?: (line: string) => void;
}

interface Owner {
  pid: number;
  startTicks: number;
}

const privateRoot = (cacheDir: string) => path.join(cacheDir, 'private');

/** Stop and remove the private instances whose creating process is gone (a test run that was killed). */
export async function pruneOrphans(cacheDir: string): Promise<string[]> {
  const root = privateRoot(cacheDir);
  const removed: string[] = [];
  let ids: string[];
  try {
    ids = await readdir(root);
  } catch {
    return removed;
  }
  for (const id of ids) {
    const dir = path.join(root, id);
    let owner: Owner;
    try {
      owner = JSON.parse(await readFile(path.join(dir, 'owner.json'), 'utf8')) as Owner;
    } catch {
      continue; // being created right now, or not ours
    }
    if (processStartTicks(owner.pid) === owner.startTicks) continue;
    const record = await readPidRecord(path.join(dir, 'server.json'));
    if (record) await stopServer(record).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    removed.push(id);
  }
  return removed;
}

/** Install `def` into the shared cache if it is missing, under the shared server's lock (no start). */
async function ensureInstalled(def: ServiceDefinition, cacheDir: string, progress: Progress): Promise<void> {
  const shared = contextFor(cacheDir, def, progress);
  await withServiceLock(servicePaths(cacheDir, def.name).lockTarget, async () => {
    if (await def.isInstalled(shared)) return;
    await makeContextDirs(shared);
    progress.update(`installing into ${shared.installDir}`);
    try {
      await def.install(shared);
    } catch (err) {
      throw await ServiceError.from(def.name, `install failed: ${(err as Error).message}`, shared.logFile);
    }
  });
}

/** Start a private instance of a service definition (the unit tests pass throwaway definitions). */
export async function startPrivateDefinition(
  def: ServiceDefinition,
  opts: PrivateOptions,
): Promise<PrivateInstance> {
  const { cacheDir } = opts;
  await checkPrerequisites([def], cacheDir);
  await pruneOrphans(cacheDir);
  const id = `${def.name}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const dir = path.join(privateRoot(cacheDir), id);
  await mkdir(dir, { recursive: true });
  const self: Owner = { pid: process.pid, startTicks: processStartTicks(process.pid) ?? 0 };
  await writeFile(path.join(dir, 'owner.json'), JSON.stringify(self) + '\n');

  const names = Object.keys(def.ports);
  const chosen = await freePorts(names.length, opts.avoidPorts ?? new Set(Object.values(def.ports)));
  const ports = Object.fromEntries(names.map((name, i) => [name, chosen[i]!]));
  const logFile = path.join(dir, 'server.log');
  const pidFile = path.join(dir, 'server.json');
  const progress = new Progress(`${def.name} (private, ${ports[names[0]!]})`, opts.log);
  const ctx: ServiceContext = {
    cacheDir,
    installDir: servicePaths(cacheDir, def.name).installDir,
    dataDir: path.join(dir, 'data'),
    logFile,
    ports,
    instance: 'private',
    progress: (message) => progress.update(message),
    run: (cmd, args, runOpts) => runLogged(logFile, cmd, args, runOpts),
  };

  let disposed = false;
  const stop = async () => {
    const record = await readPidRecord(pidFile);
    if (record) await stopServer(record);
    await removePidRecord(pidFile);
  };
  const start = async () => {
    if (disposed) throw new Error(`test-infra: the private ${def.name} instance ${id} was disposed`);
    const record = await readPidRecord(pidFile);
    if (record && processStartTicks(record.pid) === record.startTicks) return;
    await startServer(def, ctx, pidFile, progress, { keepData: true });
  };
  const dispose = async () => {
    disposed = true;
    try {
      await stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  try {
    await ensureInstalled(def, cacheDir, progress);
    await start();
  } catch (err) {
    await dispose().catch(() => undefined);
    throw err;
  }
  return { info: def.info(ctx), stop, start, dispose };
}
