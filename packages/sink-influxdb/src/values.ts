import { isDecimal, isStruct, valueHooks, valueMapper, type StructLike } from '@sluice/core/sink';
import { fieldBoolean, fieldFloat, fieldInteger, fieldString } from './line-protocol.js';

// Reading record values with what is known of their types, and turning them into InfluxDB field values.
// A Struct field has a Connect schema (INT32 is an integer even when it holds 3, FLOAT64 a float even
// when it holds 3.0). Schemaless JSON from the JsonConverter arrives as a Map whose integers are
// bigints and whose other numbers are floats. JSON text (StringConverter) is parsed with the kit's
// exact parser, where a whole number is an integer, as Jackson read it for Stream Reactor.

/** The Connect schema of a value as far as the mapping needs it. */
export interface SchemaInfo {
  readonly type: string;
  readonly name?: string | null;
  valueSchema?(): SchemaInfo;
}

/** A value and where it came from. */
export interface Slot {
  readonly value: unknown;
  /** Set when the value is a Struct field (or an element of one's array). */
  readonly schema?: SchemaInfo;
  /** 'map': schemaless converter output, numbers are floats; 'json': parsed JSON text. */
  readonly origin: 'struct' | 'map' | 'json';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isContainer(value: unknown): boolean {
  return isStruct(value) || value instanceof Map || isPlainObject(value);
}

/** The children of a container, in schema (Struct) or insertion order. */
export function children(container: unknown, origin: Slot['origin']): [string, Slot][] {
  if (isStruct(container)) {
    return container.schema.fields().map((f) => [f.name, structChild(container, f.name, f.schema)]);
  }
  if (container instanceof Map) {
    return [...container.entries()].map(([k, v]) => [String(k), { value: v, origin: 'map' }]);
  }
  if (isPlainObject(container)) {
    return Object.entries(container).map(([k, v]) => [k, { value: v, origin }]);
  }
  return [];
}

/** One named child; undefined when the container has no such name (a Struct: no such schema field). */
export function childSlot(container: unknown, name: string, origin: Slot['origin']): Slot | undefined {
  if (isStruct(container)) {
    const field = container.schema.fields().find((f) => f.name === name);
    return field ? structChild(container, name, field.schema) : undefined;
  }
  if (container instanceof Map) {
    const value: unknown = container.get(name);
    return value !== undefined || container.has(name) ? { value, origin: 'map' } : undefined;
  }
  if (isPlainObject(container) && Object.prototype.hasOwnProperty.call(container, name)) {
    return { value: container[name], origin };
  }
  return undefined;
}

function structChild(struct: StructLike, name: string, schema: unknown): Slot {
  return { value: struct.get(name), schema: schema as SchemaInfo | undefined, origin: 'struct' };
}

/** Why a value cannot be an InfluxDB field; the caller names the field. */
export class UnsupportedValue extends Error {}

/** A field value's line-protocol text, null (left out), or the items of an array (flattened). */
type FieldValue = string | null | FieldValue[];

function nested(): never {
  throw new UnsupportedValue(
    'a nested Struct/Map/object cannot be an InfluxDB field; select its members (`a.b`) or use explode',
  );
}

// The kit's schema-aware mapping with InfluxDB's types: integers get the `i` suffix, floats (FLOAT32/64
// whatever their value, decimals) stay floats, Connect Date/Time/Timestamp become integer epoch (or
// day) milliseconds as in Stream Reactor; bytes and nested values cannot be fields.
const influxHooks = valueHooks<FieldValue>({
  null: () => null,
  boolean: fieldBoolean,
  int: (v) => `${v}i`,
  int64: (v) => checked(fieldInteger(v), v),
  float: (v) => checked(fieldFloat(v), v),
  string: fieldString,
  bytes: () => {
    throw new UnsupportedValue('bytes cannot be an InfluxDB field; select a string or number field instead');
  },
  decimal: (d) => checked(fieldFloat(Number(d.toString())), d),
  date: (d) => `${d.getTime()}i`,
  time: (ms) => `${ms}i`,
  timestamp: (d) => `${d.getTime()}i`,
  array: (items) => items,
  map: nested,
  struct: nested,
});
const schemaAware = valueMapper<FieldValue>(influxHooks);
// The JsonConverter's schemaless values hold every integer as a bigint (int64), so a JS number there
// is a JSON float literal, even a whole one like 21.0: it must stay a float, or the next 21.5 conflicts.
const schemalessMap = valueMapper<FieldValue>({ ...influxHooks, int: (v) => checked(fieldFloat(v), v) });
// connect.influx.schemaless.numbers=FLOAT: every number without a schema is a float.
const schemalessFloats = valueMapper<FieldValue>({
  ...influxHooks,
  int: (v) => checked(fieldFloat(v), v),
  int64: (v) => checked(fieldFloat(Number(v)), v),
});

/**
 * The line-protocol fields of one selected value: a scalar gives `name`; an array is flattened to
 * `name0`, `name1`… (an empty array gives nothing), as Stream Reactor did. Null gives nothing.
 * Nested Structs/Maps/objects and bytes throw UnsupportedValue.
 */
export function addFieldValues(out: Map<string, string>, name: string, slot: Slot, allFloats = false): void {
  const schema = (slot.schema ?? null) as Parameters<typeof schemaAware>[1];
  const schemaless = !slot.schema && slot.origin !== 'struct';
  const mapped =
    schemaless && allFloats
      ? schemalessFloats(slot.value)
      : slot.origin === 'map' && !slot.schema
        ? schemalessMap(slot.value)
        : schemaAware(slot.value, schema);
  addMapped(out, name, mapped, true);
}

function addMapped(out: Map<string, string>, name: string, value: FieldValue, top: boolean): void {
  if (value === null) return;
  if (typeof value === 'string') {
    out.set(name, value);
    return;
  }
  if (!top) throw new UnsupportedValue('an array inside an array cannot be flattened into fields');
  value.forEach((item, i) => addMapped(out, `${name}${i}`, item, false));
}

function checked(text: string | null, value: unknown): string {
  if (text === null) {
    throw new UnsupportedValue(
      `${String(value)} cannot be stored by InfluxDB (NaN, Infinity and integers beyond 64 bits cannot)`,
    );
  }
  return text;
}

/** A tag value: the text of a scalar; null for null. */
export function tagText(slot: Slot): string | null {
  const { value } = slot;
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (isDecimal(value)) return value.toString();
  if (value instanceof Date) return value.toISOString();
  throw new UnsupportedValue(
    'a tag needs a scalar value (string, number or boolean), not a nested value or bytes',
  );
}
