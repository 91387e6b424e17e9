import { Binary, Decimal128, Double, Long, UUID } from 'mongodb';
import { valueHooks, type ValueHooks } from '@sluice/core/sink';

// Connect values → BSON, by their Connect schema (the kit's value mapping; runtime type without one):
// INT8–INT32 → int32, INT64 → int64 (Long), FLOAT32/64 → double even when whole (3.0 stays a double),
// Decimal → Decimal128 (exact), Date/Timestamp → BSON date, Time → int32 millis of day (the kit's default) (its Connect
// meaning, not a date on 1970-01-01), bytes → binary, a map with non-string keys → array of
// [key, value] pairs (as Stream Reactor), structs and string-keyed maps → sub-documents. Schemaless
// integers beyond int32 become int64, as the reference's JSON path does, not the driver's double.

export const bsonHooks: ValueHooks = valueHooks<unknown>({
  int64: (v) => Long.fromBigInt(v),
  float: (v) => new Double(v),
  decimal: (d) => Decimal128.fromString(d.toString()),
  bytes: (b) => new Binary(b),
  map: (entries, keysAreStrings) => (keysAreStrings ? Object.fromEntries(entries) : entries),
});

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `connect.mongo.json_datetime_fields`: an ISO-8601 string with an offset or integer epoch millis → Date. */
export function asDate(value: unknown): Date | undefined {
  if (typeof value === 'string' && ISO_WITH_OFFSET.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  if (typeof value === 'number' && Number.isInteger(value)) return new Date(value);
  if (Long.isLong(value)) return new Date(value.toNumber());
  return undefined;
}

/** `connect.mongo.uuid.fields`: a UUID string → BSON UUID (binary subtype 4). */
export function asUuid(value: unknown): UUID | undefined {
  return typeof value === 'string' && UUID_TEXT.test(value) ? new UUID(value) : undefined;
}

/**
 * At each path (walking through sub-documents and arrays of sub-documents), replaces a value — or
 * each element of an array value — that `convert` turns into something; leaves the others. Mutates `doc`.
 */
export function convertFields(
  doc: Record<string, unknown>,
  paths: readonly (readonly string[])[],
  convert: (value: unknown) => unknown,
): void {
  for (const path of paths) convertAt(doc, path, convert);
}

function convertAt(node: unknown, path: readonly string[], convert: (value: unknown) => unknown): void {
  if (Array.isArray(node)) {
    for (const element of node) convertAt(element, path, convert);
    return;
  }
  if (typeof node !== 'object' || node === null || path.length === 0) return;
  const container = node as Record<string, unknown>;
  const [name, ...rest] = path as [string, ...string[]];
  if (!(name in container)) return;
  if (rest.length > 0) {
    convertAt(container[name], rest, convert);
    return;
  }
  const value = container[name];
  const converted = convert(value);
  if (converted !== undefined) container[name] = converted;
  else if (Array.isArray(value)) container[name] = value.map((v) => convert(v) ?? v);
}
