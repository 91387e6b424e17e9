import type { Logger } from 'pino';

// Named, hierarchical loggers over one pino root, so that `/admin/loggers` can change levels at run
// time the way Kafka Connect changes log4j levels: setting `sluice.connector` also sets
// `sluice.connector.my-sink`. Levels use log4j's names on the API (OFF = pino's `silent`).

export const ROOT_LOGGER = 'root';

const LOG4J_TO_PINO: Record<string, string> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'fatal',
  OFF: 'silent',
};

export interface LoggerLevel {
  level: string;
  last_modified: number | null;
}

export class LoggerRegistry {
  private readonly live = new Map<string, Set<Logger>>();
  private readonly levels = new Map<string, LoggerLevel>();

  constructor(readonly root: Logger) {
    this.levels.set(ROOT_LOGGER, { level: toLog4j(root.level), last_modified: null });
  }

  /** A child logger named `name` (dots make the hierarchy); extra bindings go on every line. */
  logger(name: string, bindings: Record<string, unknown> = {}): Logger {
    const child = this.root.child({ logger: name, ...bindings });
    child.level = LOG4J_TO_PINO[this.effectiveLevel(name)]!;
    let set = this.live.get(name);
    if (!set) this.live.set(name, (set = new Set()));
    set.add(child);
    if (!this.levels.has(name))
      this.levels.set(name, { level: this.effectiveLevel(name), last_modified: null });
    return child;
  }

  /** Forgets a logger that is no longer used (a stopped task's). */
  release(name: string, logger: Logger): void {
    this.live.get(name)?.delete(logger);
  }

  all(): Record<string, LoggerLevel> {
    const out: Record<string, LoggerLevel> = {};
    for (const name of [...this.levels.keys()].sort()) out[name] = { ...this.levels.get(name)! };
    return out;
  }

  get(name: string): LoggerLevel | null {
    const level = this.levels.get(name);
    return level ? { ...level } : null;
  }

  static isLevel(level: string): boolean {
    return LOG4J_TO_PINO[level.toUpperCase()] !== undefined;
  }

  /** Sets `namespace` and every logger below it; returns the names whose level was set. */
  setLevel(namespace: string, level: string, now = Date.now()): string[] {
    const upper = level.toUpperCase();
    const pinoLevel = LOG4J_TO_PINO[upper];
    if (pinoLevel === undefined) throw new Error(`invalid log level '${level}'.`);
    if (!this.levels.has(namespace))
      this.levels.set(namespace, { level: this.effectiveLevel(namespace), last_modified: null });
    const affected = [...this.levels.keys()].filter((n) => inNamespace(n, namespace)).sort();
    for (const name of affected) {
      // As Kafka Connect: a logger already at this level is left alone, so last_modified does not move.
      if (this.levels.get(name)!.level === upper) continue;
      this.levels.set(name, { level: upper, last_modified: now });
      for (const logger of this.live.get(name) ?? []) logger.level = pinoLevel;
    }
    if (namespace === ROOT_LOGGER) this.root.level = pinoLevel;
    return affected;
  }

  private effectiveLevel(name: string): string {
    for (let n: string | null = name; n !== null; n = parent(n)) {
      const level = this.levels.get(n);
      if (level) return level.level;
    }
    return this.levels.get(ROOT_LOGGER)!.level;
  }
}

function inNamespace(name: string, namespace: string): boolean {
  return namespace === ROOT_LOGGER || name === namespace || name.startsWith(namespace + '.');
}

function parent(name: string): string | null {
  if (name === ROOT_LOGGER) return null;
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(0, i) : ROOT_LOGGER;
}

function toLog4j(pinoLevel: string): string {
  const entry = Object.entries(LOG4J_TO_PINO).find(([, p]) => p === pinoLevel);
  return entry ? entry[0] : 'INFO';
}
