// The shape every service module in src/services/ exports. The framework (cli.ts, index.ts) owns the
// cache directory, pid files, logs, health waiting and stopping; a service module only says how to
// install, start and check its server.

export interface ServiceInfo {
  /** Service name, e.g. `kafka`. */
  name: string;
  host: string;
  port: number;
  /** Connection strings a client uses, e.g. `{ bootstrapServers: '127.0.0.1:9092' }` or `{ url: 'http://127.0.0.1:8081' }`. */
  [extra: string]: unknown;
}

export interface ServiceContext {
  /** Shared install cache, outside the repo, reused across runs (SLUICE_INFRA_CACHE or ~/.cache/sluice-infra). */
  cacheDir: string;
  /** This service's own install directory inside the cache (`<cache>/install/<name>`), kept by `down`. */
  installDir: string;
  /** This instance's own data directory: removed by `down` (shared) or `dispose` (private). */
  dataDir: string;
  /**
   * The ports this instance listens on, by the names of `ServiceDefinition.ports`: the defaults (or
   * `SLUICE_INFRA_PORT_*` overrides) for the shared server, free ones for a private instance.
   */
  ports: Readonly<Record<string, number>>;
  /** `shared`: the one server every test uses; `private`: a test's own, which it may stop and start. */
  instance: 'shared' | 'private';
  /** File the service's stdout/stderr go to. */
  logFile: string;
  /** Print a progress line (downloads, builds). */
  progress(message: string): void;
  /** Run a command to completion, streaming its output to the log; throws with the tail of it on failure. */
  run(cmd: string, args: string[], opts?: { cwd?: string; env?: Record<string, string> }): Promise<void>;
}

export interface StartSpec {
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Run as this unprivileged user (Elasticsearch refuses root). */
  user?: string;
}

/**
 * What the machine must provide (checked before anything is installed or started): Linux's /proc,
 * apt-get as root or with sudo, gcc (cgo builds), unzip, Java 17, Go >= 1.21, Maven (or root to install it).
 */
export type Prerequisite = 'linux-proc' | 'debian-root' | 'gcc' | 'unzip' | 'java17' | 'go' | 'maven';

export interface ServiceDefinition {
  name: string;
  /** Other services that must be up first (schema-registry needs nothing; a Connect peer needs kafka). */
  dependsOn?: string[];
  /**
   * Default ports of the shared server by name, all bound to 127.0.0.1, e.g. `{ client: 9092,
   * controller: 9093 }`. The first is the one `info().port` reports and `SLUICE_INFRA_PORT_<SERVICE>`
   * overrides; the others are overridden by `SLUICE_INFRA_PORT_<SERVICE>_<NAME>`. Modules read their
   * ports from `ctx.ports`, never from constants, so that private instances can run beside the shared one.
   */
  ports: Readonly<Record<string, number>>;
  /** What installing it (checked only while it is not installed) and starting it need from the machine. */
  prerequisites?: { install?: Prerequisite[]; start?: Prerequisite[] };
  /** Approximate memory it needs, for the notes and README. */
  memory: string;
  /** Whether what `start` needs is already in the cache. */
  isInstalled(ctx: ServiceContext): Promise<boolean>;
  install(ctx: ServiceContext): Promise<void>;
  /**
   * Prepare the data dir (config files, format) and say what to spawn; the framework spawns, detached,
   * and records the pid. The data dir is empty for the shared server; a private instance's restart
   * keeps it, so prepare must reuse what an earlier start left there (the data a test expects back).
   */
  prepare(ctx: ServiceContext): Promise<StartSpec>;
  /** Resolves true when a client can use it. Called repeatedly until healthy or the timeout. */
  healthy(ctx: ServiceContext): Promise<boolean>;
  /** Optional: runs once after a fresh start became healthy (e.g. to seed server-side settings). */
  afterStart?(ctx: ServiceContext): Promise<void>;
  /** How long to wait for health after spawning. */
  startTimeoutMs: number;
  info(ctx: ServiceContext): ServiceInfo;
}
