import type { ConfigDef } from '../../config/def.js';
import { SchemaAndValue, type Schema } from '../../data/index.js';
import { ConnectException, DataException, RetriableException } from '../../errors.js';
import type { Converter, ConverterConfig } from '../api.js';
import {
  AVRO_CONVERTER_CONFIG_DEF,
  parseAvroConverterSettings,
  type AvroConverterSettings,
} from './avro-converter-config.js';
import { AvroData, type AvroReader, type AvroWriter } from './avro-data.js';
import { directRecordType } from './avro-direct-read.js';
import { parseAvroDataConfig } from './avro-data-config.js';
import { parseAvroSchema, type AvroNode } from './avro-schema-model.js';
import { avscType, type AvroSchema, type AvscType } from './avsc-types.js';
import { BoundedCache, InFlight } from './bounded-cache.js';
import { CachedSchemaRegistry } from './cached-schema-registry.js';
import {
  SchemaRegistryError,
  SchemaRegistryUnavailableError,
  type SchemaRegistry,
} from './schema-registry.js';
import { SchemaRegistryClient } from './schema-registry-client.js';
import { frame, HEADER_SIZE, readSchemaId } from './wire-format.js';

export interface AvroConverterOptions {
  /** Registry to use instead of an HTTP client of `schema.registry.url` (tests, embedding). */
  registry?: SchemaRegistry;
}

/** How the payloads written with one schema id are read. */
interface Decoder {
  readonly id: number;
  /** The type that reads the bytes: the writer schema, or the reader schema with `resolver`. */
  readonly type: AvscType;
  readonly resolver: unknown;
  readonly reader: AvroReader;
  /** Reads the bytes straight into the Connect value (records read without a resolver), else null. */
  readonly direct: AvscType | null;
}

/** How values of one Connect schema are written. */
interface Encoder {
  readonly writer: AvroWriter;
  /** Schema id and avsc type per subject (the subject depends on the topic). */
  readonly bySubject: Map<string, { id: number; type: AvscType }>;
}

/**
 * Confluent's AvroConverter (`io.confluent.connect.avro.AvroConverter`): Connect data ↔ Avro in the
 * Schema Registry wire format (magic byte 0, big-endian int32 schema id, Avro binary).
 *
 * Reading is the hot path: once a schema id has been seen, `toConnectData` runs synchronously
 * (no promise) with a cached avsc Type and a compiled value reader; only the first record of a new
 * schema id waits for the registry.
 */
export class AvroConverter implements Converter {
  private settings!: AvroConverterSettings;
  private isKey = false;
  private avroData!: AvroData;
  private registry!: CachedSchemaRegistry;
  private decoders!: BoundedCache<number, Decoder>;
  private encoders!: BoundedCache<Schema | null, Encoder>;
  private types!: BoundedCache<string, AvscType>;
  private readonly loadingDecoders = new InFlight<number, Decoder>();
  /** Most records of a batch share one schema id: checked before the cache. */
  private lastDecoder: Decoder | null = null;

  constructor(private readonly options: AvroConverterOptions = {}) {}

  config(): ConfigDef {
    return AVRO_CONVERTER_CONFIG_DEF;
  }

  configure(config: ConverterConfig, isKey: boolean): void {
    this.isKey = isKey;
    this.settings = parseAvroConverterSettings(config, isKey);
    const dataConfig = parseAvroDataConfig(config);
    this.avroData = new AvroData(dataConfig);
    const client =
      this.options.registry ??
      new SchemaRegistryClient({
        urls: this.settings.urls,
        userInfo: this.settings.userInfo,
        tls: this.settings.tls,
        timeoutMs: this.settings.requestTimeoutMs,
      });
    this.registry = new CachedSchemaRegistry(client, {
      capacity: this.settings.registryCacheCapacity,
      latestTtlMs: this.settings.latestCacheTtlMs,
    });
    this.decoders = new BoundedCache(dataConfig.schemasCacheSize);
    this.encoders = new BoundedCache(dataConfig.schemasCacheSize);
    this.types = new BoundedCache(dataConfig.schemasCacheSize);
    this.lastDecoder = null;
  }

  async fromConnectData(topic: string, schema: Schema | null, value: unknown): Promise<Buffer | null> {
    this.requireConfigured();
    if (value === null || value === undefined) return null;
    let encoder: Encoder;
    let datum: unknown;
    try {
      encoder = this.encoderFor(schema);
      datum = encoder.writer.write(value);
    } catch (e) {
      throw this.dataError(`Failed to convert ${this.part} of topic ${topic} to Avro`, e);
    }
    const subject = this.subject(topic, encoder.writer.node);
    let target = encoder.bySubject.get(subject);
    if (!target) {
      target = await this.schemaForWriting(topic, subject, encoder.writer);
      encoder.bySubject.set(subject, target);
    }
    let body: Buffer;
    try {
      body = target.type.toBuffer(datum);
    } catch (e) {
      throw this.dataError(
        `The ${this.part} of topic ${topic} does not fit Avro schema id ${target.id} of subject ${subject}`,
        e,
      );
    }
    return frame(target.id, body);
  }

  toConnectData(topic: string, bytes: Buffer | null): SchemaAndValue | Promise<SchemaAndValue> {
    this.requireConfigured();
    if (bytes === null) return SchemaAndValue.NULL;
    const id = readSchemaId(bytes, topic, this.isKey);
    const last = this.lastDecoder;
    const decoder = last !== null && last.id === id ? last : this.decoders.get(id);
    if (decoder !== undefined) {
      this.lastDecoder = decoder;
      return this.decode(decoder, bytes, topic);
    }
    return this.loadingDecoders
      .run(id, () => this.loadDecoder(id, topic))
      .then((loaded) => {
        this.lastDecoder = loaded;
        return this.decode(loaded, bytes, topic);
      });
  }

  close(): void {
    this.lastDecoder = null;
  }

  private decode(decoder: Decoder, bytes: Buffer, topic: string): SchemaAndValue {
    if (decoder.direct !== null) {
      try {
        const { value, offset } = decoder.direct.decode(bytes, HEADER_SIZE);
        if (offset === bytes.length) return new SchemaAndValue(decoder.reader.schema, value);
      } catch {
        // Bytes that do not fit the schema: the two-step path below reports them with its messages.
      }
    }
    let datum: unknown;
    try {
      const body = bytes.subarray(HEADER_SIZE);
      datum =
        decoder.resolver === null
          ? decoder.type.fromBuffer(body)
          : decoder.type.fromBuffer(body, decoder.resolver as Parameters<AvscType['fromBuffer']>[1]);
    } catch (e) {
      throw this.dataError(
        `Failed to deserialize Avro data of the ${this.part} of topic ${topic} (schema id ${decoder.id}, ` +
          `${bytes.length} bytes): the bytes do not match the schema`,
        e,
      );
    }
    try {
      return new SchemaAndValue(decoder.reader.schema, decoder.reader.read(datum));
    } catch (e) {
      throw this.dataError(
        `Failed to convert Avro data of the ${this.part} of topic ${topic} (schema id ${decoder.id})`,
        e,
      );
    }
  }

  private async loadDecoder(id: number, topic: string): Promise<Decoder> {
    const schemaText = await this.registryCall(
      topic,
      `look up schema id ${id}`,
      () => this.registry.getSchemaById(id),
      {
        notFound: () =>
          new DataException(
            `Schema id ${id} of the ${this.part} of topic ${topic} is not in the schema registry: the record was ` +
              `written with another registry, or the schema was deleted (is ${this.part}.converter.schema.registry.url right?)`,
          ),
      },
    );
    const writerType = this.avscTypeFor(schemaText, topic, id);
    const subject = this.subject(topic, parseAvroSchema(schemaText));

    if (this.settings.useLatestVersion) {
      const latest = await this.registryCall(topic, `read the latest schema of subject ${subject}`, () =>
        this.registry.getLatest(subject),
      );
      const reader = this.connectReader(latest.schema, latest.version, topic, latest.id);
      if (latest.id === id) return this.plainDecoder(id, writerType, reader);
      const readerType = this.avscTypeFor(latest.schema, topic, latest.id);
      let resolver: unknown;
      try {
        resolver = readerType.createResolver(writerType);
      } catch (e) {
        throw this.dataError(
          `Data of topic ${topic} written with schema id ${id} cannot be read with the latest schema of ` +
            `subject ${subject} (id ${latest.id}, use.latest.version=true)`,
          e,
        );
      }
      return { id, type: readerType, resolver, reader, direct: null };
    }

    // The Connect version is the writer schema's version under its subject (unless connect.version says).
    const version = await this.registry
      .lookup(subject, schemaText, this.settings.normalizeSchemas)
      .then((found) => found.version)
      .catch((e: unknown) => {
        if (e instanceof SchemaRegistryError && e.notFound) return null;
        throw this.registryError(topic, `find the version of schema id ${id} under subject ${subject}`, e);
      });
    return this.plainDecoder(id, writerType, this.connectReader(schemaText, version, topic, id));
  }

  /** A decoder for data read with its writer schema. */
  private plainDecoder(id: number, type: AvscType, reader: AvroReader): Decoder {
    return { id, type, resolver: null, reader, direct: directRecordType(type, reader.node, reader.schema) };
  }

  private connectReader(schemaText: string, version: number | null, topic: string, id: number): AvroReader {
    try {
      return this.avroData.readerFor(schemaText, version);
    } catch (e) {
      throw this.dataError(
        `Avro schema id ${id} of the ${this.part} of topic ${topic} has no Connect equivalent`,
        e,
      );
    }
  }

  private encoderFor(schema: Schema | null): Encoder {
    let encoder = this.encoders.get(schema);
    if (!encoder) {
      encoder = { writer: this.avroData.writerFor(schema), bySubject: new Map() };
      this.encoders.set(schema, encoder);
    }
    return encoder;
  }

  private async schemaForWriting(
    topic: string,
    subject: string,
    writer: AvroWriter,
  ): Promise<{ id: number; type: AvscType }> {
    const { autoRegisterSchemas, useLatestVersion, normalizeSchemas } = this.settings;
    if (useLatestVersion) {
      const latest = await this.registryCall(topic, `read the latest schema of subject ${subject}`, () =>
        this.registry.getLatest(subject),
      );
      return { id: latest.id, type: this.avscTypeFor(latest.schema, topic, latest.id) };
    }
    const id = autoRegisterSchemas
      ? await this.registryCall(topic, `register the schema under subject ${subject}`, () =>
          this.registry.register(subject, writer.schemaText, normalizeSchemas),
        )
      : await this.registryCall(
          topic,
          `look up the schema under subject ${subject}`,
          () => this.registry.lookup(subject, writer.schemaText, normalizeSchemas).then((r) => r.id),
          {
            notFound: () =>
              new DataException(
                `The schema of the ${this.part} of topic ${topic} is not registered under subject ${subject} and ` +
                  'auto.register.schemas=false: register it first, or enable auto.register.schemas',
              ),
          },
        );
    return { id, type: this.avscTypeFor(writer.schemaText, topic, id) };
  }

  private avscTypeFor(schemaText: string, topic: string, id: number): AvscType {
    let type = this.types.get(schemaText);
    if (!type) {
      try {
        type = avscType(JSON.parse(schemaText) as AvroSchema);
      } catch (e) {
        throw this.dataError(`Schema id ${id} used on topic ${topic} is not a valid Avro schema`, e);
      }
      this.types.set(schemaText, type);
    }
    return type;
  }

  private subject(topic: string, node: AvroNode): string {
    const recordName =
      node.kind === 'record' || node.kind === 'enum' || node.kind === 'fixed' ? node.fullName : null;
    return this.settings.subjectNameStrategy(topic, this.isKey, recordName);
  }

  private async registryCall<T>(
    topic: string,
    action: string,
    call: () => Promise<T>,
    handlers: { notFound?: () => Error } = {},
  ): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (handlers.notFound && e instanceof SchemaRegistryError && e.notFound) throw handlers.notFound();
      throw this.registryError(topic, action, e);
    }
  }

  /** Unreachable registry → retriable; auth failures fail the task; other answers are data errors. */
  private registryError(topic: string, action: string, e: unknown): Error {
    const context = `Could not ${action} for the ${this.part} of topic ${topic}`;
    if (e instanceof SchemaRegistryUnavailableError)
      return new RetriableException(`${context}: ${e.message}`, { cause: e });
    if (e instanceof SchemaRegistryError) {
      if (e.status === 401 || e.status === 403)
        return new ConnectException(`${context}: ${e.message}`, { cause: e });
      return new DataException(`${context}: ${e.message}`, { cause: e });
    }
    return e instanceof Error ? e : new ConnectException(`${context}: ${String(e)}`);
  }

  private dataError(context: string, e: unknown): Error {
    if (e instanceof RetriableException) return e;
    const message = e instanceof Error ? e.message : String(e);
    return new DataException(`${context}: ${message}`, { cause: e });
  }

  private get part(): string {
    return this.isKey ? 'key' : 'value';
  }

  private requireConfigured(): void {
    if (!this.settings) throw new ConnectException('AvroConverter used before configure()');
  }
}
