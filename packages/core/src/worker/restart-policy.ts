import { ConfigException } from '../errors.js';

// Sluice's opt-in automatic restart of failed tasks, on top of Kafka Connect's behaviour (a failed
// task stays FAILED until a REST restart). Connector keys, so each connector chooses:
//   sluice.task.restart.policy=never|on-failure       (default never, as Kafka Connect)
//   sluice.task.restart.backoff.initial.ms=1000       first wait; doubles after each failed restart
//   sluice.task.restart.backoff.max.ms=60000          longest wait
//   sluice.task.restart.max.attempts=10               restarts in a row before the task stays FAILED
// A task that ran longer than the longest wait (at least a minute) before failing starts counting
// afresh: the count is of failures in a row, not over the task's life.

export const RESTART_POLICY = 'sluice.task.restart.policy';
export const RESTART_BACKOFF_INITIAL_MS = 'sluice.task.restart.backoff.initial.ms';
export const RESTART_BACKOFF_MAX_MS = 'sluice.task.restart.backoff.max.ms';
export const RESTART_MAX_ATTEMPTS = 'sluice.task.restart.max.attempts';

const MIN_HEALTHY_RUN_MS = 60_000;

export interface RestartPolicy {
  readonly enabled: boolean;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxAttempts: number;
}

function nonNegativeInt(config: Record<string, string>, key: string, fallback: number): number {
  const raw = config[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 0) throw new ConfigException(key, `${raw} is not an integer >= 0`);
  return n;
}

/** Reads the restart keys of a connector's (task's) config; throws ConfigException on a bad value. */
export function parseRestartPolicy(config: Record<string, string>): RestartPolicy {
  const policy = (config[RESTART_POLICY] ?? 'never').trim().toLowerCase();
  if (policy !== 'never' && policy !== 'on-failure') {
    throw new ConfigException(RESTART_POLICY, `${config[RESTART_POLICY]} is not one of never, on-failure`);
  }
  const initialBackoffMs = nonNegativeInt(config, RESTART_BACKOFF_INITIAL_MS, 1000);
  const maxBackoffMs = Math.max(initialBackoffMs, nonNegativeInt(config, RESTART_BACKOFF_MAX_MS, 60_000));
  return {
    enabled: policy === 'on-failure',
    initialBackoffMs,
    maxBackoffMs,
    maxAttempts: nonNegativeInt(config, RESTART_MAX_ATTEMPTS, 10),
  };
}

/** Wait before restart number `attempt` (1-based): initial, doubling, capped at the maximum. */
export function restartBackoffMs(policy: RestartPolicy, attempt: number): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.min(attempt - 1, 30));
}

/** Whether a task that ran `ranMs` before failing counts as having recovered (its count restarts). */
export function ranHealthy(policy: RestartPolicy, ranMs: number): boolean {
  return ranMs >= Math.max(policy.maxBackoffMs, MIN_HEALTHY_RUN_MS);
}
