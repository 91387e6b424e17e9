import { appendFile, rename, rm, stat } from 'node:fs/promises';
import { contextFor, makeContextDirs } from './context.js';
import { withServiceLock } from './lock.js';
import {
  isRecordAlive,
  readPidRecord,
  removePidRecord,
  writePidRecord,
  type PidRecord,
} from './pid-record.js';
import { isPortHeld } from './ports.js';
import { checkPrerequisites } from './prerequisites.js';
import { spawnServer, stopServer } from './processes.js';
import { formatElapsed, Progress } from './progress.js';
import { ServiceError } from './service-error.js';
import { servicePaths } from './paths.js';
import { loadService, SERVICE_NAMES, type ServiceName } from '../services/index.js';
import type { ServiceContext, ServiceDefinition, ServiceInfo } from '../service.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A health probe that hangs (a half-started server) counts as "not yet". */
async function probe(def: ServiceDefinition, ctx: ServiceContext, timeoutMs = 10_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([def.healthy(ctx).catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether a running server answers, allowing it up to 30 s: other tests may be using it, so a slow
 * answer on a loaded machine must not get it restarted under them.
 */
async function stillHealthy(def: ServiceDefinition, ctx: ServiceContext): Promise<boolean> {
  const deadline = Date.now() + Math.min(30_000, def.startTimeoutMs);
  for (;;) {
    if (await probe(def, ctx)) return true;
    if (Date.now() > deadline) return false;
    await sleep(1000);
  }
}

/** The services `names` need, dependencies first, each once, in the registry's start order. */
export async function withDependencies(names: readonly ServiceName[]): Promise<ServiceName[]> {
  const wanted = new Set<ServiceName>();
  const visit = async (name: ServiceName, chain: string[]) => {
    if (wanted.has(name)) return;
    if (chain.includes(name))
      throw new Error(`test-infra: dependency cycle ${[...chain, name].join(' -> ')}`);
    const def = await loadService(name);
    for (const dep of def.dependsOn ?? []) await visit(dep as ServiceName, [...chain, name]);
    wanted.add(name);
  };
  for (const name of names) await visit(name, []);
  return SERVICE_NAMES.filter((n) => wanted.has(n));
}

export interface EnsureOptions {
  cacheDir: string;
  /** Where progress lines go (stderr by default). */
  log?: (line: string) => void;
}

/**
 * Make one service healthy: reuse it when the server we started is running and healthy, restart it when
 * it died or stopped answering, install it first when the cache lacks it. Dependencies are not handled
 * here (see withDependencies).
 */
export async function ensureService(name: ServiceName, opts: EnsureOptions): Promise<ServiceInfo> {
  return ensureDefinition(await loadService(name), opts);
}

/** ensureService for a definition in hand (the unit tests use throwaway ones). */
export async function ensureDefinition(def: ServiceDefinition, opts: EnsureOptions): Promise<ServiceInfo> {
  const name = def.name;
  const paths = servicePaths(opts.cacheDir, name);
  const progress = new Progress(name, opts.log);
  const ctx = contextFor(opts.cacheDir, def, progress);
  return withServiceLock(
    paths.lockTarget,
    async () => {
      const running = await readPidRecord(paths.pidFile);
      if (running && isRecordAlive(running)) {
        // A running server stays where it was started: others are connected to it.
        const runningCtx = running.ports ? { ...ctx, ports: running.ports } : ctx;
        if (await stillHealthy(def, runningCtx)) {
          if (running.ports && !samePorts(running.ports, ctx.ports))
            progress.update(
              `keeps running on its ports ${formatPorts(running.ports)}, not the requested ${formatPorts(ctx.ports)} ` +
                `(others use it; \`down ${name}\` first to move it)`,
            );
          return def.info(runningCtx);
        }
        progress.update(`pid ${running.pid} is running but failed its health check for 30 s; restarting it`);
        await stopServer(running);
      } else if (running) {
        progress.update(`pid ${running.pid} recorded in ${paths.pidFile} is gone; starting it again`);
      }
      await removePidRecord(paths.pidFile);
      return startServer(def, ctx, paths.pidFile, progress, { keepData: false });
    },
    () =>
      (opts.log ?? ((l) => process.stderr.write(l + '\n')))(
        `[infra] ${name}: another process is installing or starting it; waiting`,
      ),
  );
}

const samePorts = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) =>
  JSON.stringify(a) === JSON.stringify(b);
const formatPorts = (ports: Readonly<Record<string, number>>) =>
  Object.entries(ports)
    .map(([name, port]) => `${name} ${port}`)
    .join(', ');

/**
 * Install the service when the cache lacks it, then start it on `ctx.ports` and wait until it is
 * healthy, recording its pid in `pidFile`. The data dir is emptied first unless `keepData` (a private
 * instance started again after a stop keeps its data).
 */
export async function startServer(
  def: ServiceDefinition,
  ctx: ServiceContext,
  pidFile: string,
  progress: Progress,
  { keepData }: { keepData: boolean },
): Promise<ServiceInfo> {
  for (const port of Object.values(ctx.ports)) {
    if (await isPortHeld(port)) {
      throw await ServiceError.from(
        def.name,
        `port 127.0.0.1:${port} is already in use by a process test-infra did not start; ` +
          `find it with \`ss -ltnp 'sport = :${port}'\` and stop it, then run \`npm run infra -- up ${def.name}\` again`,
        ctx.logFile,
      );
    }
  }
  progress.begin();
  try {
    await makeContextDirs(ctx);
    let installMs = 0;
    if (!(await def.isInstalled(ctx))) {
      const t0 = Date.now();
      progress.update(`installing into ${ctx.installDir}`);
      try {
        await def.install(ctx);
      } catch (err) {
        throw await ServiceError.from(def.name, `install failed: ${(err as Error).message}`, ctx.logFile);
      }
      installMs = Date.now() - t0;
    }
    // Every shared start gets an empty data dir: tests must not depend on leftovers of an earlier run.
    if (!keepData) {
      await rm(ctx.dataDir, { recursive: true, force: true });
      await makeContextDirs(ctx);
    }
    let spec;
    try {
      spec = await def.prepare(ctx);
    } catch (err) {
      throw await ServiceError.from(
        def.name,
        `preparing the start failed: ${(err as Error).message}`,
        ctx.logFile,
      );
    }
    await startLogSection(ctx.logFile, `${spec.command} ${spec.args.join(' ')}`);
    const t0 = Date.now();
    progress.update(`starting: ${spec.command} (log: ${ctx.logFile})`);
    const spawned = await spawnServer(spec, ctx.logFile);
    const record: PidRecord = {
      service: def.name,
      pid: spawned.pid,
      pgid: spawned.pid,
      startTicks: spawned.startTicks,
      command: [spec.command, ...spec.args].join(' '),
      startedAt: new Date().toISOString(),
      logFile: ctx.logFile,
      dataDir: ctx.dataDir,
      ports: { ...ctx.ports },
    };
    await writePidRecord(pidFile, record);
    progress.update(`pid ${spawned.pid}; waiting until healthy (up to ${formatElapsed(def.startTimeoutMs)})`);
    let exit: string | undefined;
    void spawned.exited.then((how) => (exit = how));
    const deadline = t0 + def.startTimeoutMs;
    for (;;) {
      if (exit !== undefined) {
        await removePidRecord(pidFile);
        throw await ServiceError.from(def.name, `the server ${exit} while starting`, ctx.logFile);
      }
      if (await probe(def, ctx)) break;
      if (Date.now() > deadline) {
        await stopServer(record);
        await removePidRecord(pidFile);
        throw await ServiceError.from(
          def.name,
          `not healthy ${formatElapsed(def.startTimeoutMs)} after start; stopped it`,
          ctx.logFile,
        );
      }
      await sleep(500);
    }
    if (def.afterStart) {
      try {
        await def.afterStart(ctx);
      } catch (err) {
        await stopServer(record);
        await removePidRecord(pidFile);
        throw await ServiceError.from(
          def.name,
          `setup after start failed: ${(err as Error).message}`,
          ctx.logFile,
        );
      }
    }
    const info = def.info(ctx);
    progress.update(
      `healthy, pid ${spawned.pid}, ${describe(info)}` +
        (installMs ? `; installed in ${formatElapsed(installMs)}` : '') +
        `; started in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
    );
    return info;
  } finally {
    progress.end();
  }
}

/** Mark where this start's output begins; keep the log from growing without bound across many runs. */
async function startLogSection(logFile: string, commandLine: string): Promise<void> {
  const size = await stat(logFile).then(
    (s) => s.size,
    () => 0,
  );
  if (size > 20 * 1024 * 1024) await rename(logFile, `${logFile}.1`);
  await appendFile(logFile, `\n=== ${new Date().toISOString()} test-infra starts: ${commandLine}\n`);
}

export function describe(info: ServiceInfo): string {
  const url = info.url ?? info.bootstrapServers;
  return typeof url === 'string' ? url : `${info.host}:${info.port}`;
}

/** Bring up `names` and what they depend on, one after another (two cores: JVMs must not start together). */
export async function ensureServices(
  names: readonly ServiceName[],
  opts: EnsureOptions,
): Promise<Record<string, ServiceInfo>> {
  const result: Record<string, ServiceInfo> = {};
  const all = await withDependencies(names);
  await checkPrerequisites(await Promise.all(all.map(loadService)), opts.cacheDir);
  for (const name of all) result[name] = await ensureService(name, opts);
  return result;
}

export interface ServiceStatus {
  name: string;
  state: 'healthy' | 'unhealthy' | 'stopped' | 'unknown';
  pid?: number;
  host?: string;
  /** The port a client connects to (`info().port`). */
  port?: number;
  /** Every port the server listens on, by name. */
  ports?: Record<string, number>;
  connection?: string;
  logFile?: string;
  /** Why the state is unknown (e.g. its module failed to load). */
  detail?: string;
}

export async function serviceStatus(name: ServiceName, cacheDir: string): Promise<ServiceStatus> {
  let def: ServiceDefinition;
  try {
    def = await loadService(name);
  } catch (err) {
    return {
      name,
      state: 'unknown',
      detail: `module did not load: ${(err as Error).message.split('\n')[0]}`,
    };
  }
  return definitionStatus(def, cacheDir);
}

/** The context of the shared server: on the ports it runs on when it is running, else where it would start. */
export async function sharedContext(def: ServiceDefinition, cacheDir: string): Promise<ServiceContext> {
  const record = await readPidRecord(servicePaths(cacheDir, def.name).pidFile);
  return contextFor(cacheDir, def, undefined, record && isRecordAlive(record) ? record.ports : undefined);
}

export async function definitionStatus(def: ServiceDefinition, cacheDir: string): Promise<ServiceStatus> {
  const name = def.name;
  const record = await readPidRecord(servicePaths(cacheDir, name).pidFile);
  const alive = record !== undefined && isRecordAlive(record);
  // A running server reports the ports it was started on; a stopped one those it would start on.
  const ctx = contextFor(cacheDir, def, undefined, alive ? record.ports : undefined);
  const info = def.info(ctx);
  const base = {
    name,
    host: info.host,
    port: info.port,
    ports: { ...ctx.ports },
    connection: describe(info),
    logFile: ctx.logFile,
  };
  if (!alive) return { ...base, state: 'stopped' };
  return { ...base, pid: record.pid, state: (await probe(def, ctx, 5_000)) ? 'healthy' : 'unhealthy' };
}

/** Stop a service we started (by its recorded pid) and remove its data dir. */
export async function stopService(name: string, cacheDir: string): Promise<string> {
  const paths = servicePaths(cacheDir, name);
  return withServiceLock(paths.lockTarget, async () => {
    const record = await readPidRecord(paths.pidFile);
    const how = record ? await stopServer(record) : 'not-running';
    await removePidRecord(paths.pidFile);
    await rm(paths.dataDir, { recursive: true, force: true });
    return how === 'not-running' ? 'was not running' : `${how} pid ${record?.pid}`;
  });
}
