import { DataException, SchemaBuilderException } from '../errors.js';
import { ConnectSchema, Field, type Schema, type SchemaType } from './schema.js';
import { validateValue } from './validate.js';

/** Anything a builder method accepts as a nested schema: a schema, or a builder that is built first. */
export type SchemaLike = Schema | SchemaBuilder;

function toSchema(s: SchemaLike): Schema {
  return s instanceof SchemaBuilder ? s.build() : s;
}

/**
 * Kafka Connect's SchemaBuilder. Unlike Java's, a builder is not itself a Schema (JS cannot have both an
 * `optional` property and an `optional()` method); nested builders are accepted and built on use.
 */
export class SchemaBuilder {
  readonly type: SchemaType;
  #optional: boolean | null = null;
  #defaultValue: unknown = null;
  #name: string | null = null;
  #version: number | null = null;
  #doc: string | null = null;
  #parameters: Map<string, string> | null = null;
  readonly #fields: Map<string, Field> | null;
  #keySchema: Schema | null = null;
  #valueSchema: Schema | null = null;

  constructor(type: SchemaType) {
    this.type = type;
    this.#fields = type === 'STRUCT' ? new Map() : null;
  }

  static type(type: SchemaType): SchemaBuilder {
    return new SchemaBuilder(type);
  }

  static int8(): SchemaBuilder {
    return new SchemaBuilder('INT8');
  }

  static int16(): SchemaBuilder {
    return new SchemaBuilder('INT16');
  }

  static int32(): SchemaBuilder {
    return new SchemaBuilder('INT32');
  }

  static int64(): SchemaBuilder {
    return new SchemaBuilder('INT64');
  }

  static float32(): SchemaBuilder {
    return new SchemaBuilder('FLOAT32');
  }

  static float64(): SchemaBuilder {
    return new SchemaBuilder('FLOAT64');
  }

  static bool(): SchemaBuilder {
    return new SchemaBuilder('BOOLEAN');
  }

  /** Alias of `bool()`, matching the type's name. */
  static boolean(): SchemaBuilder {
    return new SchemaBuilder('BOOLEAN');
  }

  static string(): SchemaBuilder {
    return new SchemaBuilder('STRING');
  }

  static bytes(): SchemaBuilder {
    return new SchemaBuilder('BYTES');
  }

  static struct(): SchemaBuilder {
    return new SchemaBuilder('STRUCT');
  }

  static array(valueSchema: SchemaLike): SchemaBuilder {
    if (valueSchema == null) throw new SchemaBuilderException('valueSchema cannot be null.');
    const builder = new SchemaBuilder('ARRAY');
    builder.#valueSchema = toSchema(valueSchema);
    return builder;
  }

  static map(keySchema: SchemaLike, valueSchema: SchemaLike): SchemaBuilder {
    if (keySchema == null) throw new SchemaBuilderException('keySchema cannot be null.');
    if (valueSchema == null) throw new SchemaBuilderException('valueSchema cannot be null.');
    const builder = new SchemaBuilder('MAP');
    builder.#keySchema = toSchema(keySchema);
    builder.#valueSchema = toSchema(valueSchema);
    return builder;
  }

  /**
   * Element-less schemas, as Kafka's Values infers them from header text where every element is null
   * (`[]`, `{}`, `{3: null}`): their keySchema()/valueSchema() return null.
   */
  static arrayOfNull(): SchemaBuilder {
    return new SchemaBuilder('ARRAY');
  }

  static mapOfNull(): SchemaBuilder {
    return new SchemaBuilder('MAP');
  }

  static mapWithNullValues(keySchema: SchemaLike): SchemaBuilder {
    const builder = new SchemaBuilder('MAP');
    builder.#keySchema = toSchema(keySchema);
    return builder;
  }

  /** A builder pre-filled with every property of `schema`, to derive a variant of it. */
  static from(schema: Schema): SchemaBuilder {
    let builder: SchemaBuilder;
    if (schema.type === 'ARRAY') builder = SchemaBuilder.array(schema.valueSchema());
    else if (schema.type === 'MAP') builder = SchemaBuilder.map(schema.keySchema(), schema.valueSchema());
    else builder = new SchemaBuilder(schema.type);
    if (schema.type === 'STRUCT') for (const f of schema.fields()) builder.field(f.name, f.schema);
    builder.#optional = schema.optional;
    builder.#name = schema.name;
    builder.#version = schema.version;
    builder.#doc = schema.doc;
    if (schema.parameters) builder.#parameters = new Map(schema.parameters);
    builder.#defaultValue = schema.defaultValue;
    return builder;
  }

  get isOptional(): boolean {
    return this.#optional ?? false;
  }

  optional(): this {
    checkCanSet('optional', this.#optional, true);
    this.#optional = true;
    return this;
  }

  required(): this {
    checkCanSet('optional', this.#optional, false);
    this.#optional = false;
    return this;
  }

  /** Validated against the schema as built so far. */
  defaultValue(value: unknown): this {
    checkCanSet('default', this.#defaultValue, value);
    try {
      validateValue(this.#snapshot(), value);
    } catch (e) {
      if (e instanceof DataException) {
        throw new SchemaBuilderException(`Invalid default value: ${e.message}`, { cause: e });
      }
      throw e;
    }
    this.#defaultValue = value ?? null;
    return this;
  }

  name(name: string): this {
    checkCanSet('name', this.#name, name);
    this.#name = name;
    return this;
  }

  version(version: number): this {
    checkCanSet('version', this.#version, version);
    this.#version = version;
    return this;
  }

  doc(doc: string): this {
    checkCanSet('doc', this.#doc, doc);
    this.#doc = doc;
    return this;
  }

  parameter(name: string, value: string): this {
    this.#parameters ??= new Map();
    this.#parameters.set(name, value);
    return this;
  }

  parameters(params: ReadonlyMap<string, string> | Record<string, string>): this {
    const entries = params instanceof Map ? [...params] : Object.entries(params);
    if (entries.length === 0) return this;
    this.#parameters ??= new Map();
    for (const [k, v] of entries) this.#parameters.set(k, v);
    return this;
  }

  field(name: string, schema: SchemaLike): this {
    if (!this.#fields) throw new SchemaBuilderException(`Cannot create fields on type ${this.type}`);
    if (name == null || name === '') throw new SchemaBuilderException('fieldName cannot be null.');
    if (schema == null) throw new SchemaBuilderException(`fieldSchema for field ${name} cannot be null.`);
    if (this.#fields.has(name)) {
      throw new SchemaBuilderException(`Cannot create field because of field name duplication ${name}`);
    }
    this.#fields.set(name, new Field(name, this.#fields.size, toSchema(schema)));
    return this;
  }

  build(): ConnectSchema {
    return new ConnectSchema({
      type: this.type,
      optional: this.isOptional,
      defaultValue: this.#defaultValue,
      name: this.#name,
      version: this.#version,
      doc: this.#doc,
      parameters: this.#parameters,
      fields: this.#fields ? [...this.#fields.values()] : null,
      keySchema: this.#keySchema,
      valueSchema: this.#valueSchema,
    });
  }

  #snapshot(): ConnectSchema {
    return new ConnectSchema({
      type: this.type,
      optional: this.isOptional,
      name: this.#name,
      version: this.#version,
      doc: this.#doc,
      parameters: this.#parameters,
      fields: this.#fields ? [...this.#fields.values()] : null,
      keySchema: this.#keySchema,
      valueSchema: this.#valueSchema,
    });
  }
}

function checkCanSet(field: string, current: unknown, next: unknown): void {
  if (current !== null && current !== next) {
    throw new SchemaBuilderException(`Invalid SchemaBuilder call: ${field} has already been set.`);
  }
}
