import { ConnectException, DataException, RetriableException } from '../errors.js';
import type { SinkRecord, SinkTaskContext, TaskLogger } from './api.js';

// Stream Reactor's error policy for store writes (`connect.<x>.error.policy`, spec §1.3):
// NOOP logs and treats the batch as delivered, THROW fails the task, RETRY throws RetriableException so
// that the engine redelivers the same records after `retry.interval`, until `max.retries` failures in
// a row (-1: no limit) make it fail the task. A success resets the count.
// One deliberate difference: a DataException (a record the store can never accept) is not retried —
// retrying cannot help — it fails the task under RETRY and THROW, and is dropped under NOOP.

export type ErrorPolicyKind = 'NOOP' | 'THROW' | 'RETRY';

export const ERROR_POLICIES: readonly ErrorPolicyKind[] = ['NOOP', 'THROW', 'RETRY'];

export interface ErrorPolicyOptions {
  readonly policy: ErrorPolicyKind;
  /** Failures in a row that RETRY tolerates; -1 means no limit. */
  readonly maxRetries: number;
  readonly retryIntervalMs: number;
  readonly connectorName: string;
  readonly logger: TaskLogger;
}

export class ErrorPolicy {
  private remaining: number;
  private context: SinkTaskContext | null = null;

  constructor(private readonly options: ErrorPolicyOptions) {
    this.remaining = options.maxRetries;
  }

  /** From the parsed `connect.<prefix>.*` keys (see streamReactorSettings). */
  static of(policy: string, options: Omit<ErrorPolicyOptions, 'policy'>): ErrorPolicy {
    const kind = policy.toUpperCase() as ErrorPolicyKind;
    if (!ERROR_POLICIES.includes(kind)) {
      throw new ConnectException(
        `Unknown error policy '${policy}': use one of ${ERROR_POLICIES.join(', ')}.`,
      );
    }
    return new ErrorPolicy({ ...options, policy: kind });
  }

  get policy(): ErrorPolicyKind {
    return this.options.policy;
  }

  /** Retries left before RETRY gives up (the configured maximum after any success). */
  get remainingRetries(): number {
    return this.remaining;
  }

  /** Call from SinkTask.start: under RETRY the engine waits `retry.interval` before each redelivery. */
  applyTo(context: SinkTaskContext): void {
    this.context = context;
    this.armRetryInterval();
  }

  // The engine uses a context.timeout() for one redelivery only, so it is set again before every retry.
  private armRetryInterval(): void {
    if (this.options.policy === 'RETRY') this.context?.timeout(this.options.retryIntervalMs);
  }

  /** Runs a store write. Resolves when it succeeded or NOOP swallowed its failure; otherwise throws. */
  async run(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.handle(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.succeeded();
  }

  /** Records a successful write: resets the retry count. */
  succeeded(): void {
    if (this.remaining !== this.options.maxRetries) {
      this.options.logger.info(
        `Connector ${this.options.connectorName}: recovered from the previous write error.`,
      );
    }
    this.remaining = this.options.maxRetries;
  }

  /** Applies the policy to a failed write: returns (NOOP) or throws the exception the engine acts on. */
  handle(error: Error): void {
    const { policy, maxRetries, connectorName, logger } = this.options;
    if (maxRetries !== -1 && this.remaining > 0) this.remaining--;
    const message = `Connector ${connectorName}: write failed: ${error.message}`;
    switch (policy) {
      case 'NOOP':
        logger.warn(`${message}. Error policy NOOP: the batch is dropped and processing continues.`);
        return;
      case 'THROW':
        throw new ConnectException(`${message}. Error policy THROW: the task stops.`, { cause: error });
      case 'RETRY':
        if (error instanceof DataException) {
          throw new ConnectException(
            `${message}. The record cannot be written as it is, so RETRY does not retry it.`,
            {
              cause: error,
            },
          );
        }
        if (maxRetries !== -1 && this.remaining === 0) {
          throw new ConnectException(
            `${message}. Error policy RETRY: all ${maxRetries} retries used, the task stops.`,
            {
              cause: error,
            },
          );
        }
        logger.warn(
          `${message}. Error policy RETRY: redelivering after ${this.options.retryIntervalMs} ms; ` +
            `${maxRetries === -1 ? 'unlimited' : this.remaining} attempts remaining.`,
        );
        this.armRetryInterval();
        throw new RetriableException(message, { cause: error });
    }
  }
}

/**
 * A record that can never be written (DataException): to the DLQ / error log when errors.tolerance
 * allows (the batch goes on), otherwise rethrown for the batch's error policy.
 */
export async function reportBadRecord(
  context: SinkTaskContext,
  record: SinkRecord,
  error: Error,
): Promise<void> {
  const reporter = context.errantRecordReporter();
  if (!reporter) throw error;
  await reporter.report(record, error);
}

/** A record the store refused on its own, while the rest of its batch was written. */
export interface RefusedRecord {
  readonly record: SinkRecord;
  readonly error: Error;
}

/** The sink-specific steps of `putRouted`. */
export interface RoutedPut<S, W> {
  /** The KCQL statements that take records of `topic`. */
  readonly routes: (topic: string) => readonly S[];
  /** The store write for one record under one statement; null skips it; DataException marks it bad. */
  readonly prepare: (record: SinkRecord, statement: S) => W | null;
  /** Writes the batch in one go and returns the records the store refused one by one. */
  readonly write: (writes: W[]) => Promise<readonly RefusedRecord[]>;
}

/**
 * SinkTask.put of a Stream Reactor sink: each record becomes one write per statement that routes its
 * topic, the writes go to the store together, and records that can never be written (a DataException
 * from `prepare`, or refused by the store) go to reportBadRecord; any other failure is the batch's, for
 * the error policy.
 */
export async function putRouted<S, W>(
  policy: ErrorPolicy,
  context: SinkTaskContext,
  records: readonly SinkRecord[],
  steps: RoutedPut<S, W>,
): Promise<void> {
  await policy.run(async () => {
    const writes: W[] = [];
    for (const record of records) {
      for (const statement of steps.routes(record.topic)) {
        try {
          const write = steps.prepare(record, statement);
          if (write !== null) writes.push(write);
        } catch (e) {
          if (!(e instanceof DataException)) throw e;
          await reportBadRecord(context, record, e);
        }
      }
    }
    for (const refused of await steps.write(writes))
      await reportBadRecord(context, refused.record, refused.error);
  });
}
