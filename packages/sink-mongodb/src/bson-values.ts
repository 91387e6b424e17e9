import { Binary, Decimal128, Long } from 'mongodb';
import { isDecimal } from '@sluice/core/sink';

// Projected documents (plain JS with Connect's leaf representations) → BSON values:
// bigint (INT64) → Long, Decimal → Decimal128 (exact), Date/Timestamp/Time → BSON date, bytes → Binary,
// a Map with non-string keys → array of [key, value] pairs (as Stream Reactor), sub-objects and arrays
// recursively. Schemaless JSON integers beyond int32 become Long, as the reference's JSON path does,
// instead of the driver's double.

export interface BsonOptions {
  readonly schemaless: boolean;
}

export function toBsonValue(value: unknown, options: BsonOptions): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Long.fromBigInt(value);
  if (typeof value === 'number') {
    return options.schemaless && Number.isInteger(value) && (value > 2147483647 || value < -2147483648)
      ? Long.fromNumber(value)
      : value;
  }
  if (typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  if (Buffer.isBuffer(value)) return new Binary(value);
  if (value instanceof Uint8Array) return new Binary(Buffer.from(value));
  if (isDecimal(value)) return Decimal128.fromString(value.toString());
  if (Array.isArray(value)) return value.map((v) => toBsonValue(v, options));
  if (value instanceof Map)
    return [...value.entries()].map(([k, v]) => [toBsonValue(k, options), toBsonValue(v, options)]);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toBsonValue(v, options);
  return out;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * `connect.mongo.json_datetime_fields`: at each path (walking through sub-documents and arrays of
 * sub-documents), an ISO-8601 string with an offset or an integer epoch-millis number becomes a Date.
 * Other values, and strings that do not parse, are left as they are. Mutates `doc`.
 */
export function convertDatetimeFields(
  doc: Record<string, unknown>,
  paths: readonly (readonly string[])[],
): void {
  for (const path of paths) convertAt(doc, path);
}

function convertAt(node: unknown, path: readonly string[]): void {
  if (Array.isArray(node)) {
    for (const element of node) convertAt(element, path);
    return;
  }
  if (typeof node !== 'object' || node === null || path.length === 0) return;
  const container = node as Record<string, unknown>;
  const [name, ...rest] = path as [string, ...string[]];
  if (!(name in container)) return;
  if (rest.length > 0) {
    convertAt(container[name], rest);
    return;
  }
  const converted = asDate(container[name]);
  if (converted) container[name] = converted;
  else if (Array.isArray(container[name])) {
    container[name] = (container[name] as unknown[]).map((v) => asDate(v) ?? v);
  }
}

function asDate(value: unknown): Date | undefined {
  if (typeof value === 'string' && ISO_WITH_OFFSET.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  if (typeof value === 'number' && Number.isInteger(value)) return new Date(value);
  if (Long.isLong(value)) return new Date(value.toNumber());
  return undefined;
}
