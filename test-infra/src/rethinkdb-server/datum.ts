import { ErrorType } from './protocol.js';

// JSON values as ReQL sees them. Times and binaries travel as pseudo-type objects
// ({"$reql_type$": "TIME", ...}); the test server stores and returns them unchanged.
export type Datum = null | boolean | number | string | Datum[] | { [key: string]: Datum };
export type Document = { [key: string]: Datum };

/** A ReQL runtime error: the response carries `type` so the driver raises the matching class. */
export class ReqlError extends Error {
  constructor(
    readonly type: number,
    message: string,
  ) {
    super(message);
  }
}

export const isObject = (v: unknown): v is Document =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepEqual(a: Datum, b: Datum): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k] as Datum))
    );
  }
  return false;
}

// RethinkDB orders values of different types by type: arrays < booleans < null < numbers < objects < strings.
const TYPE_RANK = (v: Datum) =>
  Array.isArray(v)
    ? 0
    : typeof v === 'boolean'
      ? 1
      : v === null
        ? 2
        : typeof v === 'number'
          ? 3
          : isObject(v)
            ? 4
            : 5;

export function compare(a: Datum, b: Datum): number {
  const rank = TYPE_RANK(a) - TYPE_RANK(b);
  if (rank !== 0) return rank;
  if (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean') {
    return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i] as Datum, b[i] as Datum);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  return JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0;
}

/** `update` semantics: nested objects merge, everything else is replaced. */
export function merge(base: Document, patch: Document): Document {
  const out: Document = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const prev = out[k];
    out[k] = isObject(prev) && isObject(v) && !('$reql_type$' in v) ? merge(prev, v) : v;
  }
  return out;
}

/** The map key of a primary-key value; objects and null cannot be primary keys. */
export function primaryKeyOf(value: Datum | undefined, field: string): string {
  if (value === undefined)
    throw new ReqlError(ErrorType.NON_EXISTENCE, `No attribute \`${field}\` in object.`);
  if (value === null || (isObject(value) && !('$reql_type$' in value))) {
    throw new ReqlError(
      ErrorType.QUERY_LOGIC,
      `Primary keys must be either a number, string, bool, pseudotype or array (got type ${value === null ? 'NULL' : 'OBJECT'}):\n${JSON.stringify(value)}`,
    );
  }
  return JSON.stringify(value);
}

/** How RethinkDB prints a document in error messages (tab-indented JSON). */
export const printDatum = (value: Datum) => JSON.stringify(value, null, '\t');
