import { ConfigException, DataException } from '../../errors.js';
import { ConfigDef, validators } from '../../config/def.js';
import type { Schema } from '../../data/schema.js';
import { DECIMAL_LOGICAL_NAME } from '../../data/logical-names.js';
import { SchemaAndValue } from '../../data/schema-and-value.js';
import type { Converter, ConverterConfig, HeaderConverter } from '../api.js';
import { connectToJson, type DecimalFormat, type ToJsonOptions } from './connect-to-json.js';
import { isJsonObject, type JsonNode, type JsonObject } from './json-node.js';
import { convertJsonText, JsonSyntaxError } from './json-parser.js';
import { schemaFromJson, schemaToJson } from './json-schema.js';
import { jsonToConnect, schemalessToConnect } from './json-to-connect.js';
import { writeJson } from './json-writer.js';
import { LruCache } from './lru-cache.js';

const ENVELOPE_ERROR =
  'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields.' +
  ' If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';

/** The converter's settings, with Kafka's keys and defaults. */
export const JSON_CONVERTER_CONFIG = new ConfigDef()
  .define({
    name: 'schemas.enable',
    type: 'BOOLEAN',
    default: true,
    importance: 'HIGH',
    doc: 'Include schemas within each of the serialized values and keys ({"schema":…,"payload":…}).',
  })
  .define({
    name: 'schemas.cache.size',
    type: 'INT',
    default: 1000,
    importance: 'HIGH',
    doc: 'Maximum number of schemas that can be cached in this converter instance.',
    validator: validators.atLeast(0),
  })
  .define({
    name: 'decimal.format',
    type: 'STRING',
    default: 'BASE64',
    importance: 'LOW',
    doc: 'How Decimal values are written: BASE64 (binary, the default) or NUMERIC (a JSON number). Both are read.',
    validator: validators.oneOf(['BASE64', 'NUMERIC']),
    recommendedValues: ['BASE64', 'NUMERIC'],
  })
  .define({
    name: 'replace.null.with.default',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    doc: 'Whether a null value whose schema has a default is replaced by the default, on write and on read.',
  })
  .define({
    name: 'converter.type',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    doc: 'key, value or header: which side of the record this converter handles (set by the runtime).',
    validator: validators.oneOf(['key', 'value', 'header']),
  });

// How Kafka's JsonConverter (and this one) lays out an envelope: `{"schema":…,"payload":…}`.
const ENVELOPE_HEAD = '{"schema":';
const PAYLOAD_KEY = ',"payload":';

/** A schema met before in an envelope, found again by its exact text. */
interface KnownSchema {
  readonly schema: Schema | null;
  /** Whether the schema text names the Decimal type (decimal payloads are parsed exactly). */
  readonly namesDecimal: boolean;
}

/** Kafka Connect's org.apache.kafka.connect.json.JsonConverter. */
export class JsonConverter implements Converter, HeaderConverter {
  #schemasEnabled = true;
  #options: ToJsonOptions = { decimalFormat: 'BASE64', replaceNullWithDefault: true };
  #toJsonCache = new LruCache<Schema, string>(1000);
  #toConnectCache = new LruCache<string, Schema>(1000);
  /** Envelope schemas by their raw text, so that a record whose schema was seen parses only its payload. */
  #schemasByText = new LruCache<string, KnownSchema>(1000);
  #schemasCacheSize = 1000;
  /** `{"schema":<text>,"payload":` (UTF-8) of the last envelope read: most records repeat their predecessor's. */
  #lastHead: { readonly bytes: Buffer; readonly known: KnownSchema } | null = null;

  config(): ConfigDef {
    return JSON_CONVERTER_CONFIG;
  }

  /** Accepts string values as Kafka does; booleans and numbers are taken as their text. */
  configure(config: ConverterConfig | Record<string, unknown>, isKey?: boolean): void {
    const props: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) if (v !== undefined && v !== null) props[k] = String(v);
    if (isKey !== undefined) props['converter.type'] = isKey ? 'key' : 'value';
    const parsed = JSON_CONVERTER_CONFIG.parse(props);
    this.#schemasEnabled = parsed['schemas.enable'] as boolean;
    this.#options = {
      decimalFormat: (parsed['decimal.format'] as string).toUpperCase() as DecimalFormat,
      replaceNullWithDefault: parsed['replace.null.with.default'] as boolean,
    };
    const cacheSize = parsed['schemas.cache.size'] as number;
    this.#toJsonCache = new LruCache(cacheSize);
    this.#toConnectCache = new LruCache(cacheSize);
    this.#schemasByText = new LruCache(cacheSize);
    this.#schemasCacheSize = cacheSize;
    this.#lastHead = null;
  }

  fromConnectData(topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (schema === null && (value === null || value === undefined)) return null;
    let payload: string;
    try {
      payload = writeJson(connectToJson(schema, value, this.#options));
    } catch (e) {
      throw this.#wrap(e, `Converting Kafka Connect data to byte[] failed for topic ${topic}`);
    }
    if (!this.#schemasEnabled) return Buffer.from(payload, 'utf8');
    const schemaText = schema === null ? 'null' : this.#schemaText(schema, topic);
    return Buffer.from(`{"schema":${schemaText},"payload":${payload}}`, 'utf8');
  }

  toConnectData(topic: string, bytes: Buffer | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return SchemaAndValue.NULL;
    try {
      if (!this.#schemasEnabled) {
        return convertJsonText(bytes.toString('utf8'), schemalessData);
      }
      const sameHead = this.#withLastHead(bytes);
      if (sameHead !== undefined) return sameHead;
      const text = bytes.toString('utf8');
      const known = this.#withKnownSchema(text);
      if (known !== undefined) return known;
      // Decimals may come as JSON numbers whose scale only the literal text has.
      return convertJsonText(
        text,
        (json) => this.#fromEnvelope(json, text),
        text.includes(DECIMAL_LOGICAL_NAME),
      );
    } catch (e) {
      if (e instanceof JsonSyntaxError) {
        throw new DataException(
          `Converting byte[] to Kafka Connect data failed due to serialization error of topic ${topic}: ${e.message}`,
          { cause: e },
        );
      }
      throw this.#wrap(e, `Converting byte[] to Kafka Connect data failed for topic ${topic}`);
    }
  }

  #fromEnvelope(json: JsonNode | undefined, text: string): SchemaAndValue {
    if (!isEnvelope(json)) throw new DataException(ENVELOPE_ERROR);
    const schema = this.asConnectSchema(json.schema);
    const value = jsonToConnect(schema, json.payload, this.#options.replaceNullWithDefault);
    this.#rememberSchemaText(text, schema);
    return new SchemaAndValue(schema, value);
  }

  // Envelopes whose schema was read before: only the payload is parsed. Same result as reading the
  // whole text: once the schema text is known to be one JSON value, `{"schema":S,"payload":P}` with P
  // one JSON value can only be that envelope. When P is not (or the layout differs), these return
  // undefined and the whole text is read as usual, which also gives the usual error messages.

  /**
   * The common case, a record with the same schema as the one before: its bytes start with the bytes
   * of the previous head (compared natively, before any decoding) and only the payload is decoded.
   */
  #withLastHead(bytes: Buffer): SchemaAndValue | undefined {
    const last = this.#lastHead;
    if (last === null) return undefined;
    const head = last.bytes;
    const end = bytes.length - 1;
    if (end <= head.length || bytes[end] !== 0x7d /* } */) return undefined;
    if (bytes.compare(head, 0, head.length, 0, head.length) !== 0) return undefined;
    // Both cuts are next to ASCII bytes (':' and '}'), so they fall between UTF-8 characters.
    return this.#readPayload(bytes.toString('utf8', head.length, end), last.known);
  }

  /** A record whose schema text is in the cache (another schema than the record before). */
  #withKnownSchema(text: string): SchemaAndValue | undefined {
    if (!text.startsWith(ENVELOPE_HEAD) || text.charCodeAt(text.length - 1) !== 0x7d /* } */)
      return undefined;
    const at = text.indexOf(PAYLOAD_KEY, ENVELOPE_HEAD.length);
    if (at < 0) return undefined;
    const known = this.#schemasByText.get(text.slice(ENVELOPE_HEAD.length, at));
    if (known === undefined) return undefined;
    const payloadStart = at + PAYLOAD_KEY.length;
    this.#lastHead = { bytes: Buffer.from(text.slice(0, payloadStart), 'utf8'), known };
    return this.#readPayload(text.slice(payloadStart, -1), known);
  }

  #readPayload(payload: string, known: KnownSchema): SchemaAndValue | undefined {
    const { schema } = known;
    try {
      return convertJsonText(
        payload,
        (json) => {
          if (json === undefined) throw new JsonSyntaxError('No payload value');
          return new SchemaAndValue(
            schema,
            jsonToConnect(schema, json, this.#options.replaceNullWithDefault),
          );
        },
        known.namesDecimal || payload.includes(DECIMAL_LOGICAL_NAME),
      );
    } catch (e) {
      if (e instanceof JsonSyntaxError) return undefined;
      throw e;
    }
  }

  /** After a successful read of `text`: keys its schema by the schema's raw text, when in Kafka's layout. */
  #rememberSchemaText(text: string, schema: Schema | null): void {
    if (this.#schemasCacheSize <= 0 || !text.startsWith(ENVELOPE_HEAD)) return;
    const at = text.indexOf(PAYLOAD_KEY, ENVELOPE_HEAD.length);
    if (at < 0 || text.charCodeAt(text.length - 1) !== 0x7d /* } */) return;
    const schemaText = text.slice(ENVELOPE_HEAD.length, at);
    // The split is the envelope's own only if both sides are one whole JSON value each: not when a
    // string in the schema contains `,"payload":`, nor when a repeated "schema" key follows the payload.
    try {
      JSON.parse(schemaText);
      JSON.parse(text.slice(at + PAYLOAD_KEY.length, -1));
    } catch {
      return;
    }
    const known: KnownSchema = { schema, namesDecimal: schemaText.includes(DECIMAL_LOGICAL_NAME) };
    this.#schemasByText.set(detached(schemaText), known);
  }

  /** The JSON form of a Connect schema (a fresh object the caller may keep). */
  asJsonSchema(schema: Schema | null): JsonObject | null {
    return schema === null ? null : schemaToJson(schema, this.#options);
  }

  /** A Connect schema from its JSON form; `null` gives null (schemaless). Cached by the JSON's text. */
  asConnectSchema(json: JsonNode | undefined): Schema | null {
    if (json === null || json === undefined) return null;
    const key = writeJson(json);
    const cached = this.#toConnectCache.get(key);
    if (cached) return cached;
    const schema = schemaFromJson(json, this.#options.replaceNullWithDefault);
    if (schema) this.#toConnectCache.set(key, schema);
    return schema;
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }

  #schemaText(schema: Schema, topic: string): string {
    let text = this.#toJsonCache.get(schema);
    if (text === undefined) {
      try {
        text = writeJson(schemaToJson(schema, this.#options));
      } catch (e) {
        throw this.#wrap(e, `Converting the Kafka Connect schema to JSON failed for topic ${topic}`);
      }
      this.#toJsonCache.set(schema, text);
    }
    return text;
  }

  #wrap(e: unknown, context: string): Error {
    if (e instanceof ConfigException) return e;
    const message = e instanceof Error ? e.message : String(e);
    return new DataException(`${context}: ${message}`, { cause: e });
  }
}

/**
 * A copy of a substring that does not keep the whole record text it was cut from alive (V8 may
 * represent a substring as a view of its parent).
 */
function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

function schemalessData(json: JsonNode | undefined): SchemaAndValue {
  return json === undefined ? SchemaAndValue.NULL : new SchemaAndValue(null, schemalessToConnect(json));
}

function isEnvelope(
  json: JsonNode | undefined,
): json is JsonObject & { schema: JsonNode; payload: JsonNode } {
  return (
    isJsonObject(json) &&
    Object.hasOwn(json, 'schema') &&
    Object.hasOwn(json, 'payload') &&
    Object.keys(json).length === 2
  );
}
