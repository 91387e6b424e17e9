import {
  DATE_LOGICAL_NAME,
  DECIMAL_LOGICAL_NAME,
  TIME_LOGICAL_NAME,
  TIMESTAMP_LOGICAL_NAME,
} from '../data/logical-names.js';
import type { Schema } from '../data/schema.js';
import { isDecimal, isPlainObject, isStruct, type DecimalLike } from './connect-values.js';

// Schema-aware value mapping: one hook per Connect type, so that a sink maps each type to its store's
// native one and nothing is guessed from the JS value when the schema says what it is (a FLOAT64 3.0
// reaches `float`, never `int`; an INT64 reaches `int64` as a bigint). Values without a schema
// (schemaless JSON, JSON text) go through the same hooks by their runtime type. The defaults
// (`plainValueHooks`) suit JSON-like stores; a sink overrides the types its store has natively:
//   const toBson = valueMapper({ float: (v) => new Double(v), decimal: (d) => Decimal128.fromString(d.toString()) });

export type IntType = 'INT8' | 'INT16' | 'INT32';
export type FloatType = 'FLOAT32' | 'FLOAT64';

export interface ValueHooks<R = unknown> {
  null(): R;
  boolean(value: boolean): R;
  /** INT8–INT32, and schemaless integers in the INT32 range. */
  int(value: number, type: IntType): R;
  /** INT64 (always a bigint here), and schemaless integers beyond INT32 (bigint, or JSON text beyond 2^53). */
  int64(value: bigint): R;
  /** FLOAT32/FLOAT64, whole values included; schemaless numbers with a fraction. */
  float(value: number, type: FloatType): R;
  string(value: string): R;
  bytes(value: Buffer): R;
  decimal(value: DecimalLike): R;
  /** Connect Date: a day, as a Date at midnight UTC. */
  date(value: Date): R;
  /** Connect Time: milliseconds since midnight (the Date Connect carries is on 1970-01-01). */
  time(millisOfDay: number): R;
  /** Connect Timestamp, and schemaless Date values. */
  timestamp(value: Date): R;
  array(items: R[], schema: Schema | null): R;
  /** A Map or a schemaless object with string keys. */
  map(entries: [key: R, value: R][], keysAreStrings: boolean, schema: Schema | null): R;
  struct(fields: [name: string, value: R][], schema: Schema | null): R;
}

/** Maps a value with its schema (null: by runtime type). */
export type ValueMapper<R = unknown> = (value: unknown, schema?: Schema | null) => R;

/**
 * Defaults for JSON-like stores: plain JS values that keep Connect's exact representations (bigint,
 * the decimal value, Date, Buffer), Time as millis of day, string-keyed maps and structs as objects.
 * `toJsonText` writes every one of them exactly.
 */
export const plainValueHooks: ValueHooks = {
  null: () => null,
  boolean: (v) => v,
  int: (v) => v,
  int64: (v) => v,
  float: (v) => v,
  string: (v) => v,
  bytes: (v) => v,
  decimal: (v) => v,
  date: (v) => v,
  time: (ms) => ms,
  timestamp: (v) => v,
  array: (items) => items,
  map: (entries, keysAreStrings) =>
    keysAreStrings ? objectOf(entries as [string, unknown][]) : new Map(entries),
  struct: (fields) => objectOf(fields),
};

function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i]!;
    // A "__proto__" key is data, not the prototype (an assignment would set the prototype).
    if (k === '__proto__') {
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** The default hooks with some replaced (the types the store has natively); for projectRecord's `valueHooks`. */
export function valueHooks<R = unknown>(overrides: Partial<ValueHooks<R>> = {}): ValueHooks<R> {
  return { ...(plainValueHooks as ValueHooks<R>), ...overrides };
}

/** A mapper from the default hooks with some replaced. */
export function valueMapper<R = unknown>(overrides: Partial<ValueHooks<R>> = {}): ValueMapper<R> {
  const hooks = valueHooks(overrides);
  return (value, schema = null) => mapValue(value, schema, hooks);
}

const MILLIS_PER_DAY = 86_400_000;

/**
 * Maps `value` (of `schema`, or null to go by runtime type) through `hooks`. `skip` drops children by
 * dotted path relative to the value, `prefix` being the value's own path (KCQL IGNORE).
 */
export function mapValue<R>(
  value: unknown,
  schema: Schema | null,
  hooks: ValueHooks<R>,
  skip?: ReadonlySet<string>,
  prefix = '',
): R {
  if (value === null || value === undefined) return hooks.null();
  if (schema === null && isStruct(value)) schema = value.schema as unknown as Schema;
  if (schema === null) return mapByRuntimeType(value, hooks, skip, prefix);
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME:
      return hooks.decimal(value as DecimalLike);
    case DATE_LOGICAL_NAME:
      return hooks.date(asDate(value));
    case TIME_LOGICAL_NAME:
      return hooks.time(millisOfDay(value));
    case TIMESTAMP_LOGICAL_NAME:
      return hooks.timestamp(asDate(value));
  }
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
      return hooks.int(Number(value), schema.type);
    case 'INT64':
      return hooks.int64(typeof value === 'bigint' ? value : BigInt(value as number));
    case 'FLOAT32':
    case 'FLOAT64':
      return hooks.float(Number(value), schema.type);
    case 'BOOLEAN':
      return hooks.boolean(value as boolean);
    case 'STRING':
      return hooks.string(value as string);
    case 'BYTES':
      return hooks.bytes(Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array));
    case 'ARRAY': {
      const element = schema.valueSchema() ?? null;
      return hooks.array(
        (value as unknown[]).map((v) => mapValue(v, element, hooks)),
        schema,
      );
    }
    case 'MAP': {
      const keySchema = schema.keySchema() ?? null;
      const valueSchema = schema.valueSchema() ?? null;
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
      const stringKeys =
        keySchema === null ? entries.every(([k]) => typeof k === 'string') : keySchema.type === 'STRING';
      return hooks.map(
        mapEntries(entries, stringKeys, keySchema, valueSchema, hooks, skip, prefix),
        stringKeys,
        schema,
      );
    }
    case 'STRUCT': {
      const struct = value as { get(name: string): unknown };
      const fields = schema.fields();
      const out: [string, R][] = [];
      const paths = skipping(skip);
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        const path = paths ? pathOf(prefix, f.name) : '';
        if (paths && skip!.has(path)) continue;
        out.push([f.name, mapValue(struct.get(f.name), f.schema, hooks, skip, path)]);
      }
      return hooks.struct(out, schema);
    }
  }
  return mapByRuntimeType(value, hooks, skip, prefix);
}

function pathOf(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

// Paths only matter to IGNORE: without paths to skip, none is built (the common case, per field of
// every record).
function skipping(skip: ReadonlySet<string> | undefined): boolean {
  return skip !== undefined && skip.size > 0;
}

/** The entries of a Map (or a schemaless object) mapped, IGNOREd keys left out. */
function mapEntries<R>(
  entries: Iterable<readonly [unknown, unknown]>,
  stringKeys: boolean,
  keySchema: Schema | null,
  valueSchema: Schema | null,
  hooks: ValueHooks<R>,
  skip: ReadonlySet<string> | undefined,
  prefix: string,
): [R, R][] {
  const out: [R, R][] = [];
  const paths = stringKeys && skipping(skip);
  for (const [k, v] of entries) {
    if (!paths) {
      out.push([mapValue(k, keySchema, hooks), mapValue(v, valueSchema, hooks)]);
      continue;
    }
    const path = pathOf(prefix, k as string);
    if (skip!.has(path)) continue;
    out.push([mapValue(k, keySchema, hooks), mapValue(v, valueSchema, hooks, skip, path)]);
  }
  return out;
}

function mapByRuntimeType<R>(
  value: unknown,
  hooks: ValueHooks<R>,
  skip?: ReadonlySet<string>,
  prefix = '',
): R {
  switch (typeof value) {
    case 'boolean':
      return hooks.boolean(value);
    case 'string':
      return hooks.string(value);
    case 'bigint':
      return hooks.int64(value);
    case 'number':
      if (!Number.isInteger(value)) return hooks.float(value, 'FLOAT64');
      if (value >= -0x80000000 && value <= 0x7fffffff) return hooks.int(value, 'INT32');
      return Number.isSafeInteger(value) ? hooks.int64(BigInt(value)) : hooks.float(value, 'FLOAT64');
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return hooks.bytes(Buffer.from(value));
  if (isDecimal(value)) return hooks.decimal(value);
  if (value instanceof Date) return hooks.timestamp(value);
  if (Array.isArray(value))
    return hooks.array(
      value.map((v) => mapValue(v, null, hooks)),
      null,
    );
  if (value instanceof Map) {
    let stringKeys = true;
    for (const k of value.keys()) {
      if (typeof k !== 'string') {
        stringKeys = false;
        break;
      }
    }
    return hooks.map(mapEntries(value, stringKeys, null, null, hooks, skip, prefix), stringKeys, null);
  }
  if (isPlainObject(value)) {
    const out: [string, R][] = [];
    const paths = skipping(skip);
    for (const k of Object.keys(value)) {
      const path = paths ? pathOf(prefix, k) : '';
      if (paths && skip!.has(path)) continue;
      out.push([k, mapValue(value[k], null, hooks, skip, path)]);
    }
    return hooks.struct(out, null);
  }
  return hooks.string(String(value));
}

function asDate(value: unknown): Date {
  if (value instanceof Date) return value;
  return new Date(typeof value === 'bigint' ? Number(value) : (value as number));
}

function millisOfDay(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : Number(value);
  return ((ms % MILLIS_PER_DAY) + MILLIS_PER_DAY) % MILLIS_PER_DAY;
}
