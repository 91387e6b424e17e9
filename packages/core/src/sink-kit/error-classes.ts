import { ConfigException, DataException } from '../errors.js';

// The three kinds of store errors a sink's `classify` hook returns, and what the kit does with each:
// - data: this record can never be written (its shape, a constraint) → errors.tolerance / DLQ, only it;
// - transient: the store is down, timed out or throttled → the connector's error policy (NOOP/THROW/RETRY);
// - fatal: retrying cannot help the whole connector (bad credentials, a missing database, no
//   permission) → the task fails with the reason, even under RETRY with unlimited retries.

export type ErrorClass = 'data' | 'transient' | 'fatal';

/** A store error that fails the task whatever the error policy (a sink may throw it from any hook). */
export class FatalStoreException extends ConfigException {
  constructor(message: string, options?: { key?: string; cause?: unknown }) {
    super(options?.key, message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * The kit's classification before (and beneath) a sink's own: DataException → data,
 * ConfigException (FatalStoreException included) → fatal, anything else (RetriableException, network
 * and timeout errors) → transient, which leaves the decision to the user's error policy.
 */
export function defaultClassify(error: unknown): ErrorClass {
  if (error instanceof DataException) return 'data';
  if (error instanceof ConfigException) return 'fatal';
  return 'transient';
}
