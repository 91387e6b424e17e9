import { DataException } from '../errors.js';
import { schemasEqual } from './equality.js';

// Kafka Connect's Schema (org.apache.kafka.connect.data.Schema / ConnectSchema). Properties rather than
// Java getters, so that a schema reads like a plain description: `schema.type`, `schema.optional`.

export type SchemaType =
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FLOAT32'
  | 'FLOAT64'
  | 'BOOLEAN'
  | 'STRING'
  | 'BYTES'
  | 'ARRAY'
  | 'MAP'
  | 'STRUCT';

export const SCHEMA_TYPES: readonly SchemaType[] = [
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FLOAT32',
  'FLOAT64',
  'BOOLEAN',
  'STRING',
  'BYTES',
  'ARRAY',
  'MAP',
  'STRUCT',
];

/** Kafka's `Type.getName()`: the lowercase name (`int8` … `struct`). */
export function schemaTypeName(type: SchemaType): string {
  return type.toLowerCase();
}

export function isPrimitiveType(type: SchemaType): boolean {
  return type !== 'ARRAY' && type !== 'MAP' && type !== 'STRUCT';
}

export interface Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  /** Null when the schema has no default. */
  readonly defaultValue: unknown;
  readonly name: string | null;
  readonly version: number | null;
  readonly doc: string | null;
  /** Insertion-ordered; null when no parameter was ever set (never an empty map). */
  readonly parameters: ReadonlyMap<string, string> | null;
  /**
   * MAP only. Null only for the element-less schemas of `SchemaBuilder.mapOfNull()` (header values
   * inferred from text such as `{}`); every schema that describes record data has one.
   */
  keySchema(): Schema;
  /** ARRAY and MAP only; null only for `arrayOfNull()` / `mapOfNull()` / `mapWithNullValues()` schemas. */
  valueSchema(): Schema;
  /** STRUCT only. */
  fields(): readonly Field[];
  /** STRUCT only; null when there is no such field. */
  field(name: string): Field | null;
}

export class Field {
  constructor(
    readonly name: string,
    readonly index: number,
    readonly schema: Schema,
  ) {}

  toString(): string {
    return `Field{name=${this.name}, index=${this.index}, schema=${String(this.schema)}}`;
  }
}

export interface ConnectSchemaInit {
  type: SchemaType;
  optional?: boolean;
  defaultValue?: unknown;
  name?: string | null;
  version?: number | null;
  doc?: string | null;
  parameters?: ReadonlyMap<string, string> | null;
  fields?: readonly Field[] | null;
  keySchema?: Schema | null;
  valueSchema?: Schema | null;
}

/** Immutable schema, as produced by `SchemaBuilder.build()`. */
export class ConnectSchema implements Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  readonly defaultValue: unknown;
  readonly name: string | null;
  readonly version: number | null;
  readonly doc: string | null;
  readonly parameters: ReadonlyMap<string, string> | null;
  readonly #fields: readonly Field[] | null;
  readonly #fieldsByName: ReadonlyMap<string, Field> | null;
  readonly #keySchema: Schema | null;
  readonly #valueSchema: Schema | null;

  constructor(init: ConnectSchemaInit) {
    this.type = init.type;
    this.optional = init.optional ?? false;
    this.defaultValue = init.defaultValue ?? null;
    this.name = init.name ?? null;
    this.version = init.version ?? null;
    this.doc = init.doc ?? null;
    this.parameters = init.parameters ? new Map(init.parameters) : null;
    if (this.type === 'STRUCT') {
      this.#fields = Object.freeze([...(init.fields ?? [])]);
      this.#fieldsByName = new Map(this.#fields.map((f) => [f.name, f]));
    } else {
      if (init.fields) throw new DataException('Non-struct schemas should not have fields');
      this.#fields = null;
      this.#fieldsByName = null;
    }
    this.#keySchema = init.keySchema ?? null;
    this.#valueSchema = init.valueSchema ?? null;
    Object.freeze(this);
  }

  keySchema(): Schema {
    if (this.type !== 'MAP') throw new DataException('Cannot look up key schema on non-map type');
    return this.#keySchema as Schema;
  }

  valueSchema(): Schema {
    if (this.type !== 'MAP' && this.type !== 'ARRAY') {
      throw new DataException('Cannot look up value schema on non-array and non-map type');
    }
    return this.#valueSchema as Schema;
  }

  fields(): readonly Field[] {
    if (!this.#fields) throw new DataException('Cannot list fields on non-struct type');
    return this.#fields;
  }

  field(name: string): Field | null {
    if (!this.#fieldsByName) throw new DataException('Cannot look up fields on non-struct type');
    return this.#fieldsByName.get(name) ?? null;
  }

  equals(other: unknown): boolean {
    return isSchema(other) && schemasEqual(this, other);
  }

  toString(): string {
    return this.name !== null ? `Schema{${this.name}:${this.type}}` : `Schema{${this.type}}`;
  }
}

export function isSchema(value: unknown): value is Schema {
  return (
    value instanceof ConnectSchema ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as Schema).type === 'string' &&
      typeof (value as Schema).fields === 'function' &&
      typeof (value as Schema).valueSchema === 'function')
  );
}

function primitive(type: SchemaType, optional: boolean): Schema {
  return new ConnectSchema({ type, optional });
}

/**
 * Kafka's predefined schemas (`Schema.INT32_SCHEMA`, `Schema.OPTIONAL_STRING_SCHEMA` …). `Schema` is both
 * the interface above and this constant holder, as in Java.
 */
export const Schema = Object.freeze({
  INT8_SCHEMA: primitive('INT8', false),
  INT16_SCHEMA: primitive('INT16', false),
  INT32_SCHEMA: primitive('INT32', false),
  INT64_SCHEMA: primitive('INT64', false),
  FLOAT32_SCHEMA: primitive('FLOAT32', false),
  FLOAT64_SCHEMA: primitive('FLOAT64', false),
  BOOLEAN_SCHEMA: primitive('BOOLEAN', false),
  STRING_SCHEMA: primitive('STRING', false),
  BYTES_SCHEMA: primitive('BYTES', false),
  OPTIONAL_INT8_SCHEMA: primitive('INT8', true),
  OPTIONAL_INT16_SCHEMA: primitive('INT16', true),
  OPTIONAL_INT32_SCHEMA: primitive('INT32', true),
  OPTIONAL_INT64_SCHEMA: primitive('INT64', true),
  OPTIONAL_FLOAT32_SCHEMA: primitive('FLOAT32', true),
  OPTIONAL_FLOAT64_SCHEMA: primitive('FLOAT64', true),
  OPTIONAL_BOOLEAN_SCHEMA: primitive('BOOLEAN', true),
  OPTIONAL_STRING_SCHEMA: primitive('STRING', true),
  OPTIONAL_BYTES_SCHEMA: primitive('BYTES', true),
});
