import { isDecimal, isStruct, type StructLike } from '@sluice/core';
import { fieldBoolean, fieldFloat, fieldInteger, fieldString } from './line-protocol.js';

// Reading record values with what is known of their types, and turning them into InfluxDB field values.
// A Struct field has a Connect schema (INT32 is an integer even when it holds 3, FLOAT64 a float even
// when it holds 3.0). Schemaless JSON from the JsonConverter arrives as a Map whose integers are
// bigints and whose other numbers are floats. JSON text (StringConverter) is parsed here, where a
// number written without fraction or exponent is an integer, as Jackson reads it for Stream Reactor.

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

export const DECIMAL = 'org.apache.kafka.connect.data.Decimal';
export const DATE = 'org.apache.kafka.connect.data.Date';
export const TIME = 'org.apache.kafka.connect.data.Time';
export const TIMESTAMP = 'org.apache.kafka.connect.data.Timestamp';

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
  if (container instanceof Map)
    return container.has(name) ? { value: container.get(name), origin: 'map' } : undefined;
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

/**
 * The line-protocol fields of one selected value: a scalar gives `name`; an array is flattened to
 * `name0`, `name1`… (an empty array gives nothing), as Stream Reactor did. Null gives nothing.
 * Nested Structs/Maps/objects and bytes throw UnsupportedValue.
 */
export function addFieldValues(out: Map<string, string>, name: string, slot: Slot): void {
  const { value, schema } = slot;
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    const element = schema?.valueSchema?.();
    value.forEach((v, i) => {
      if (Array.isArray(v))
        throw new UnsupportedValue(`element ${i} is an array; nested arrays cannot be flattened into fields`);
      addFieldValues(out, `${name}${i}`, { value: v, schema: element, origin: slot.origin });
    });
    return;
  }
  out.set(name, scalarField(slot));
}

function scalarField(slot: Slot): string {
  const { value, schema } = slot;
  if (schema) {
    switch (schema.name) {
      case DECIMAL:
        if (isDecimal(value)) return checked(fieldFloat(Number(value.toString())), value);
        break;
      case DATE:
      case TIME:
      case TIMESTAMP:
        if (value instanceof Date) return checked(fieldInteger(BigInt(value.getTime())), value);
        break;
    }
    switch (schema.type) {
      case 'INT8':
      case 'INT16':
      case 'INT32':
      case 'INT64':
        if (typeof value === 'number' || typeof value === 'bigint')
          return checked(fieldInteger(BigInt(value)), value);
        break;
      case 'FLOAT32':
      case 'FLOAT64':
        if (typeof value === 'number') return checked(fieldFloat(value), value);
        break;
    }
  }
  if (typeof value === 'bigint') return checked(fieldInteger(value), value);
  if (typeof value === 'number') {
    // A Map's numbers are the converter's floats; JSON text's integral literals are integers.
    if (slot.origin === 'json' && Number.isInteger(value)) return checked(fieldInteger(BigInt(value)), value);
    return checked(fieldFloat(value), value);
  }
  if (typeof value === 'boolean') return fieldBoolean(value);
  if (typeof value === 'string') return fieldString(value);
  if (isDecimal(value)) return checked(fieldFloat(Number(value.toString())), value);
  if (value instanceof Date) return checked(fieldInteger(BigInt(value.getTime())), value);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    throw new UnsupportedValue('bytes cannot be an InfluxDB field; select a string or number field instead');
  }
  if (isContainer(value)) {
    throw new UnsupportedValue(
      'a nested Struct/Map/object cannot be an InfluxDB field; select its members (`a.b`) or use explode',
    );
  }
  throw new UnsupportedValue(`a value of type ${typeof value} cannot be an InfluxDB field`);
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
