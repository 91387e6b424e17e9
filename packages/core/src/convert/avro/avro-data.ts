import { SchemaAndValue, validateValue, type Schema } from '../../data/index.js';
import { AVRO_DATA_CONFIG_DEFAULTS, avroDataConfigOf, type AvroDataConfig } from './avro-data-config.js';
import { parseAvroSchema, type AvroNode } from './avro-schema-model.js';
import { avroToConnectSchema, type UnionNaming } from './avro-to-connect-schema.js';
import { compileReader, type ValueReader } from './avro-to-connect-value.js';
import { BoundedCache } from './bounded-cache.js';
import { isAnythingSchema } from './anything-schema.js';
import { connectToAvroSchema, type AvroSchemaJson } from './connect-to-avro-schema.js';
import { compileWriter, type ValueWriter } from './connect-to-avro-value.js';

/** A Connect schema converted for writing: its Avro schema (JSON and text) and the compiled value writer. */
export interface AvroWriter {
  readonly avroSchema: AvroSchemaJson;
  /** `JSON.stringify(avroSchema)`: what is registered. */
  readonly schemaText: string;
  readonly node: AvroNode;
  /** Validates a Connect value against the Connect schema and returns the avsc datum. */
  write(value: unknown): unknown;
}

/** An Avro schema converted for reading: its Connect schema (null = schemaless) and the compiled value reader. */
export interface AvroReader {
  readonly schema: Schema | null;
  readonly node: AvroNode;
  readonly read: ValueReader;
}

/**
 * Kafka Connect data ↔ Avro, with Confluent's AvroData names and settings. Avro schemas are JSON,
 * datums are avsc values (see avsc-types.ts for their shape). Converted schemas and the compiled
 * value conversions are cached (`schemas.cache.config` entries in each direction).
 */
export class AvroData {
  readonly config: AvroDataConfig;
  private readonly writers: BoundedCache<Schema | null, AvroWriter>;
  private readonly readers: BoundedCache<string, AvroReader>;
  private readonly unionNaming: UnionNaming = { next: 0 };

  /**
   * `config`: the cache size, or settings as camelCase properties or under Confluent's keys
   * (`schemas.cache.config`, `enhanced.avro.schema.support`, `connect.meta.data`, …); unknown keys throw.
   */
  constructor(config: Partial<AvroDataConfig> | Record<string, unknown> | number = {}) {
    const overrides = typeof config === 'number' ? { schemasCacheSize: config } : avroDataConfigOf(config);
    this.config = Object.freeze({ ...AVRO_DATA_CONFIG_DEFAULTS, ...overrides });
    this.writers = new BoundedCache(this.config.schemasCacheSize);
    this.readers = new BoundedCache(this.config.schemasCacheSize);
  }

  /** Connect schema → Avro schema JSON (schemaless → the `Anything` record). */
  fromConnectSchema(schema: Schema | null): AvroSchemaJson {
    return this.writerFor(schema).avroSchema;
  }

  /**
   * Avro schema (JSON or its text) → Connect schema; null for the `Anything` record (schemaless).
   * `version` is the registry version, used when the schema carries no `connect.version`.
   */
  toConnectSchema(avroSchema: AvroSchemaJson, version: number | null = null): Schema | null {
    return this.readerFor(avroSchema, version).schema;
  }

  /** Connect value → avsc datum for the Avro schema `fromConnectSchema(schema)` returns. */
  fromConnectData(schema: Schema | null, value: unknown): unknown {
    return this.writerFor(schema).write(value);
  }

  /** avsc datum → Connect schema and value. */
  toConnectData(avroSchema: AvroSchemaJson, datum: unknown, version: number | null = null): SchemaAndValue {
    if (datum === null || datum === undefined) return SchemaAndValue.NULL;
    const reader = this.readerFor(avroSchema, version);
    return new SchemaAndValue(reader.schema, reader.read(datum));
  }

  writerFor(schema: Schema | null): AvroWriter {
    const cached = this.writers.get(schema);
    if (cached) return cached;
    const avroSchema = connectToAvroSchema(schema, this.config);
    const node = parseAvroSchema(avroSchema);
    const writeValue: ValueWriter = compileWriter(schema, node, this.config);
    const writer: AvroWriter = {
      avroSchema,
      schemaText: JSON.stringify(avroSchema),
      node,
      write: (value) => {
        if (schema !== null) validateValue(schema, value === undefined ? null : value);
        return writeValue(value);
      },
    };
    this.writers.set(schema, writer);
    return writer;
  }

  readerFor(avroSchema: AvroSchemaJson, version: number | null): AvroReader {
    const text = typeof avroSchema === 'string' ? avroSchema : JSON.stringify(avroSchema);
    const key = `${version ?? ''}\u0000${text}`;
    const cached = this.readers.get(key);
    if (cached) return cached;
    const node = parseAvroSchema(avroSchema);
    const schemaless = node.kind === 'record' && isAnythingSchema(node.fullName);
    const schema = schemaless ? null : avroToConnectSchema(node, version, this.config, this.unionNaming);
    const reader: AvroReader = { schema, node, read: compileReader(node, schema) };
    this.readers.set(key, reader);
    return reader;
  }
}
