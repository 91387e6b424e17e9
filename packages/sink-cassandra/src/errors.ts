import cassandra from 'cassandra-driver';
import { DataException, FatalStoreException } from '@sluice/core/sink';
import { CqlConversionError } from './cql-values.js';

// Driver and server errors by what the sink should do about them:
// - data: this record can never be written as it is (the server refused the values, or a value does
//   not convert to its column) → errors.tolerance / dead letter queue, for that record only;
// - transient: the cluster is down, overloaded or slow → the error policy (NOOP / THROW / RETRY);
// - fatal: credentials, permissions, a missing keyspace or table → the task fails with the reason,
//   whatever the error policy, because retrying cannot help.

export type ErrorClass = 'data' | 'transient' | 'fatal';

const { errors } = cassandra;
const codes = cassandra.types.responseErrorCodes;

const TRANSIENT_CODES = new Set<number>([
  codes.serverError,
  codes.unavailableException,
  codes.overloaded,
  codes.isBootstrapping,
  codes.truncateError,
  codes.writeTimeout,
  codes.readTimeout,
  codes.readFailure,
  codes.writeFailure,
  codes.unprepared,
  codes.alreadyExists,
]);

const FATAL_CODES = new Set<number>([
  codes.badCredentials,
  codes.unauthorized,
  codes.configError,
  codes.protocolError,
]);

/** Server messages of InvalidRequest that mean the schema is missing, not that the values are bad. */
const MISSING_SCHEMA =
  /keyspace .* does not exist|unconfigured table|undefined column name|unknown identifier/i;

export function classify(error: unknown): ErrorClass {
  if (error instanceof FatalStoreException) return 'fatal';
  if (error instanceof CqlConversionError || error instanceof DataException) return 'data';
  if (error instanceof errors.ResponseError) {
    // The driver types the code as a number; the codes it is compared with are its enum.
    const code = error.code as typeof codes.invalid;
    if (FATAL_CODES.has(error.code)) return 'fatal';
    if (code === codes.invalid || code === codes.syntaxError)
      return MISSING_SCHEMA.test(error.message) ? 'fatal' : 'data';
    if (code === codes.functionFailure) return 'data';
    if (TRANSIENT_CODES.has(error.code)) return 'transient';
    return 'transient';
  }
  if (error instanceof errors.AuthenticationError) return 'fatal';
  if (error instanceof errors.NoHostAvailableError) {
    const inner = Object.values((error.innerErrors ?? {}) as Record<string, unknown>);
    return inner.length > 0 && inner.every((e) => e instanceof errors.AuthenticationError)
      ? 'fatal'
      : 'transient';
  }
  // The driver's encoder throws TypeError for a value its column cannot take.
  if (error instanceof TypeError || error instanceof errors.ArgumentError) return 'data';
  return 'transient';
}

/** The driver error's text with its code name, for messages. */
export function describeDriverError(error: unknown): string {
  if (error instanceof errors.ResponseError) {
    const name =
      Object.entries(codes).find(([, v]) => (v as number) === error.code)?.[0] ??
      `0x${error.code.toString(16)}`;
    return `${error.message} (${name})`;
  }
  return error instanceof Error ? error.message : String(error);
}
