import type { Logger } from 'pino';

// Right after internal topics are created (three workers started together create them at once), the
// brokers answer some requests with retriable errors for a moment: the partition leader is not
// elected yet (LEADER_NOT_AVAILABLE, NOT_LEADER_FOR_PARTITION), metadata has not spread
// (UNKNOWN_TOPIC_OR_PARTITION). Kafka's clients retry those until a deadline; so does this, instead of
// failing the worker's start.

/** True for errors kafkajs or the broker mark retriable, also when wrapped by kafkajs' own retrier. */
export function isRetriable(e: unknown): boolean {
  let err = e as { retriable?: boolean; originalError?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; err && depth < 5; depth++) {
    if (err.retriable === true) return true;
    err = (err.originalError ?? err.cause) as typeof err;
  }
  return false;
}

export interface RetryOptions {
  /** What is being done, for the log and the final error. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Runs before each retry, e.g. to refresh metadata after NOT_LEADER_FOR_PARTITION. */
  readonly beforeRetry?: () => Promise<void>;
}

export async function retryRetriable<T>(op: () => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let backoff = options.initialBackoffMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (!isRetriable(e) || Date.now() + backoff > deadline) throw e;
      options.logger.debug(
        { err: e, attempt },
        `${options.what} failed with a retriable error; retrying in ${backoff} ms`,
      );
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 1000);
      await options.beforeRetry?.().catch(() => undefined);
    }
  }
}
