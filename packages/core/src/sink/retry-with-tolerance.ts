import { RetriableException } from '../errors.js';
import type { ErrorContext, ErrorReporter, Stage } from './error-context.js';
import type { ErrorHandlingConfig } from './errors-config.js';

// Kafka Connect's RetryWithToleranceOperator for the converter stages: retriable failures are retried
// with a doubling backoff until `errors.retry.timeout`; what still fails is reported (log, DLQ) and then
// either skipped (`errors.tolerance=all`) or fatal (`none`). The first attempt runs synchronously, so a
// synchronous converter costs no promise per record.

const INITIAL_BACKOFF_MS = 300;

/** A stage failed for good (after retries); carries the stage and what was executing. */
export class StageFailure extends Error {
  constructor(
    readonly stage: Stage,
    readonly executingClass: string,
    readonly error: Error,
  ) {
    super(`Stage ${stage} (${executingClass}) failed: ${error.message}`, { cause: error });
  }
}

export function isThenable<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** Resolves after `ms`, or early (with false) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Backoff before the attempt after `failures` failed ones: 300 ms doubling, then random below the max. */
export function backoffMs(failures: number, maxDelayMs: number, random: () => number = Math.random): number {
  const delay = failures > 20 ? Infinity : INITIAL_BACKOFF_MS * 2 ** (failures - 1);
  return delay < maxDelayMs ? delay : Math.floor(random() * maxDelayMs);
}

export interface ToleranceMetrics {
  recordsFailed(n: number): void;
}

export class RetryWithTolerance {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly config: ErrorHandlingConfig,
    private readonly reporters: readonly ErrorReporter[],
    private readonly metrics: ToleranceMetrics,
    private readonly signal: AbortSignal,
  ) {}

  get toleratesAll(): boolean {
    return this.config.tolerance === 'all';
  }

  /** Whether anything handles errant records (Kafka Connect offers the task a reporter then). */
  get hasReporting(): boolean {
    return this.toleratesAll || this.reporters.length > 0;
  }

  /**
   * Runs `op` in `stage`. Returns its value (synchronously when it is synchronous and succeeds);
   * a failure that survives the retries surfaces as StageFailure (thrown or rejected).
   */
  execute<T>(stage: Stage, executingClass: string, op: () => T | Promise<T>): T | Promise<T> {
    let result: T | Promise<T>;
    try {
      result = op();
    } catch (e) {
      return this.retry(stage, executingClass, op, e, Date.now());
    }
    return this.settle(stage, executingClass, op, result);
  }

  // `execute` in two halves, for a hot path that makes the first attempt itself so that it builds
  // no closure per call while that attempt succeeds synchronously (the record converter).

  /** After a first attempt of `op` that returned `first`: as `execute` goes on from there. */
  settle<T>(
    stage: Stage,
    executingClass: string,
    op: () => T | Promise<T>,
    first: T | Promise<T>,
  ): T | Promise<T> {
    if (!isThenable(first)) return first;
    const start = Date.now();
    return first.then(undefined, (e: unknown) => this.retry(stage, executingClass, op, e, start));
  }

  /** After a first attempt of `op` that threw `error`: as `execute` goes on from there. */
  failed<T>(stage: Stage, executingClass: string, op: () => T | Promise<T>, error: unknown): T | Promise<T> {
    return this.retry(stage, executingClass, op, error, Date.now());
  }

  private retry<T>(
    stage: Stage,
    cls: string,
    op: () => T | Promise<T>,
    first: unknown,
    start: number,
  ): T | Promise<T> {
    if (!(first instanceof RetriableException) || this.config.retryTimeoutMs === 0) {
      throw new StageFailure(stage, cls, asError(first));
    }
    return this.retryLoop(stage, cls, op, first, start);
  }

  private async retryLoop<T>(
    stage: Stage,
    cls: string,
    op: () => T | Promise<T>,
    first: Error,
    start: number,
  ): Promise<T> {
    const { retryTimeoutMs, retryDelayMaxMs } = this.config;
    const deadline = retryTimeoutMs < 0 ? Infinity : start + retryTimeoutMs;
    let last: Error = first;
    for (let failures = 1; ; failures++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      if (!(await sleep(Math.min(backoffMs(failures, retryDelayMaxMs), remaining), this.signal))) break;
      try {
        return await op();
      } catch (e) {
        last = asError(e);
        if (!(e instanceof RetriableException)) break;
      }
    }
    throw new StageFailure(stage, cls, last);
  }

  /**
   * Reports a record that failed for good to every reporter. The promise settles when the reporters
   * are done (the DLQ write acknowledged); commits wait for it through `drain()`.
   */
  report(ctx: ErrorContext): Promise<void> {
    this.metrics.recordsFailed(1);
    const done = Promise.all(this.reporters.map((r) => r.report(ctx))).then(() => undefined);
    this.pending.add(done);
    const forget = () => this.pending.delete(done);
    done.then(forget, forget);
    return done;
  }

  /** Waits for every report made so far (rejects if one of them failed). */
  async drain(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}

export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
