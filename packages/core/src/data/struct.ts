import { DataException } from '../errors.js';
import { ConnectDecimal } from './connect-decimal.js';
import { schemasEqual, valuesEqual } from './equality.js';
import type { Field, Schema, SchemaType } from './schema.js';
import { validateValue } from './validate.js';

/**
 * Values handed from `fromValidatedValues` to the constructor, so that the trusted path neither
 * allocates a second slot array nor widens the public constructor's signature.
 */
let trustedValues: unknown[] | null = null;

/** A record-like value bound to a STRUCT schema; every `put` is validated immediately. */
export class Struct {
  readonly schema: Schema;
  readonly #values: unknown[];

  constructor(schema: Schema) {
    const handed = trustedValues;
    trustedValues = null;
    if (schema.type !== 'STRUCT') throw new DataException(`Not a struct schema: ${String(schema)}`);
    this.schema = schema;
    this.#values = handed ?? new Array<unknown>(schema.fields().length).fill(null);
  }

  /**
   * Internal to Sluice's converters, not for connectors or transforms: a struct whose slot `i` is
   * `values[i]` for field index `i` (null when unset), with no validation. Only for callers that built
   * every value from `schema` itself and so already know each one fits (the Avro and JSON readers);
   * validating again would be most of their per-record cost. The array is taken over, not copied.
   */
  static fromValidatedValues(schema: Schema, values: unknown[]): Struct {
    trustedValues = values;
    return new Struct(schema);
  }

  /** The value, or the field schema's default when the value is null. */
  get(field: string | Field): unknown {
    const f = this.#lookup(field);
    const value = this.#values[f.index];
    return value === null && f.schema.defaultValue !== null ? f.schema.defaultValue : value;
  }

  /** The raw slot: null when unset, even if the field has a default. */
  getWithoutDefault(field: string | Field): unknown {
    return this.#values[this.#lookup(field).index];
  }

  put(field: string | Field, value: unknown): this {
    const f = this.#lookup(field);
    const v = value === undefined ? null : value;
    validateValue(f.schema, v, f.name);
    this.#values[f.index] = v;
    return this;
  }

  getInt8(field: string): number | null {
    return this.#typed(field, 'INT8') as number | null;
  }

  getInt16(field: string): number | null {
    return this.#typed(field, 'INT16') as number | null;
  }

  getInt32(field: string): number | null {
    return this.#typed(field, 'INT32') as number | null;
  }

  /** Always a bigint (a slot set with a safe-integer number is widened). */
  getInt64(field: string): bigint | null {
    const value = this.#typed(field, 'INT64') as bigint | number | null;
    return typeof value === 'number' ? BigInt(value) : value;
  }

  getFloat32(field: string): number | null {
    return this.#typed(field, 'FLOAT32') as number | null;
  }

  getFloat64(field: string): number | null {
    return this.#typed(field, 'FLOAT64') as number | null;
  }

  getBoolean(field: string): boolean | null {
    return this.#typed(field, 'BOOLEAN') as boolean | null;
  }

  getString(field: string): string | null {
    return this.#typed(field, 'STRING') as string | null;
  }

  getBytes(field: string): Uint8Array | null {
    return this.#typed(field, 'BYTES') as Uint8Array | null;
  }

  getArray<T = unknown>(field: string): T[] | null {
    return this.#typed(field, 'ARRAY') as T[] | null;
  }

  getMap<K = unknown, V = unknown>(field: string): Map<K, V> | null {
    return this.#typed(field, 'MAP') as Map<K, V> | null;
  }

  getStruct(field: string): Struct | null {
    return this.#typed(field, 'STRUCT') as Struct | null;
  }

  /** Fails when a required field without default is unset; re-validates every set value. */
  validate(): void {
    for (const f of this.schema.fields()) {
      const value = this.#values[f.index];
      if (value === null && (f.schema.optional || f.schema.defaultValue !== null)) continue;
      validateValue(f.schema, value, f.name);
    }
  }

  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof Struct) || !schemasEqual(this.schema, other.schema)) return false;
    return this.schema.fields().every((f) => valuesEqual(this.#values[f.index], other.getWithoutDefault(f)));
  }

  /** Java's format: `Struct{a=1,b=x}`, set fields only. */
  toString(): string {
    const parts: string[] = [];
    for (const f of this.schema.fields()) {
      const value = this.#values[f.index];
      if (value !== null) parts.push(`${f.name}=${renderForToString(value)}`);
    }
    return `Struct{${parts.join(',')}}`;
  }

  #lookup(field: string | Field): Field {
    const name = typeof field === 'string' ? field : field.name;
    const f = this.schema.field(name);
    if (!f) throw new DataException(`${name} is not a valid field name`);
    return f;
  }

  #typed(field: string, type: SchemaType): unknown {
    const f = this.#lookup(field);
    if (f.schema.type !== type) throw new DataException(`Field '${field}' is not of type ${type}`);
    return this.#values[f.index];
  }
}

function renderForToString(value: unknown): string {
  if (value instanceof Uint8Array) return `[${Array.from(value).join(', ')}]`;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof ConnectDecimal) return value.toString();
  if (Array.isArray(value)) return `[${value.map(renderForToString).join(', ')}]`;
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${renderForToString(k)}=${renderForToString(v)}`).join(', ')}}`;
  }
  return String(value);
}
