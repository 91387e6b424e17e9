import { DataException } from '../../errors.js';
import { ConnectDecimal } from '../../data/connect-decimal.js';
import { schemasEqual } from '../../data/equality.js';
import { Decimal, LogicalDate, Time, Timestamp } from '../../data/logical-types.js';
import type { Schema, SchemaType } from '../../data/schema.js';
import { Struct } from '../../data/struct.js';
import { describeClass, isValueOfType } from '../../data/validate.js';
import { JsonNumberText, type JsonNode, type JsonObject } from './json-node.js';
import { javaDoubleText, javaFloatText } from './json-writer.js';

// JsonConverter's Connect → JSON direction (convertToJson).

export type DecimalFormat = 'BASE64' | 'NUMERIC';

export interface ToJsonOptions {
  decimalFormat: DecimalFormat;
  replaceNullWithDefault: boolean;
}

export function connectToJson(schema: Schema | null, value: unknown, options: ToJsonOptions): JsonNode {
  if (value === null || value === undefined) {
    if (schema === null) return null;
    if (schema.defaultValue !== null && options.replaceNullWithDefault) {
      return connectToJson(schema, schema.defaultValue, options);
    }
    if (schema.optional) return null;
    throw new DataException(
      'Conversion error: null value for field that is required and has no default value',
    );
  }
  if (schema !== null) {
    switch (schema.name) {
      case Decimal.LOGICAL_NAME:
        if (!(value instanceof ConnectDecimal)) throw logicalMismatch('Decimal', 'ConnectDecimal', value);
        return options.decimalFormat === 'NUMERIC'
          ? new JsonNumberText(value.toString())
          : Decimal.fromLogical(schema, value).toString('base64');
      case LogicalDate.LOGICAL_NAME:
        if (!(value instanceof Date)) throw logicalMismatch('Date', 'Date', value);
        return LogicalDate.fromLogical(schema, value);
      case Time.LOGICAL_NAME:
        if (!(value instanceof Date)) throw logicalMismatch('Time', 'Date', value);
        return Time.fromLogical(schema, value);
      case Timestamp.LOGICAL_NAME:
        if (!(value instanceof Date)) throw logicalMismatch('Timestamp', 'Date', value);
        return Timestamp.fromLogical(schema, value);
    }
  }
  if (schema === null && isPlainObject(value)) {
    // Convenience beyond Java: a plain object is schemaless MAP data with string keys.
    return mapToJson(null, new Map(Object.entries(value)), options);
  }
  const type = schema?.type ?? schemalessType(value);
  if (!isValueOfType(type, value)) {
    throw new DataException(
      `Invalid type for ${schema ? schema.type : 'unknown schema'}: ${describeClass(value)}`,
    );
  }
  switch (type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
    case 'BOOLEAN':
    case 'STRING':
      return value as number | bigint | boolean | string;
    case 'FLOAT32':
      return javaFloatText(value as number);
    case 'FLOAT64':
      return javaDoubleText(value as number);
    case 'BYTES': {
      const bytes = value as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    }
    case 'ARRAY': {
      const elementSchema = schema ? schema.valueSchema() : null;
      return (value as unknown[]).map((e) => connectToJson(elementSchema, e, options));
    }
    case 'MAP':
      return mapToJson(schema, value as Map<unknown, unknown>, options);
    case 'STRUCT': {
      const struct = value as Struct;
      if (schema === null || (struct.schema !== schema && !schemasEqual(struct.schema, schema))) {
        throw new DataException('Mismatching schema.');
      }
      const out: JsonObject = {};
      for (const field of schema.fields()) {
        setMember(out, field.name, connectToJson(field.schema, struct.getWithoutDefault(field), options));
      }
      return out;
    }
  }
}

function mapToJson(schema: Schema | null, map: Map<unknown, unknown>, options: ToJsonOptions): JsonNode {
  const keySchema = schema ? schema.keySchema() : null;
  const valueSchema = schema ? schema.valueSchema() : null;
  const objectMode = keySchema
    ? keySchema.type === 'STRING'
    : [...map.keys()].every((k) => typeof k === 'string');
  if (objectMode) {
    const out: JsonObject = {};
    for (const [k, v] of map) {
      setMember(out, String(connectToJson(keySchema, k, options)), connectToJson(valueSchema, v, options));
    }
    return out;
  }
  return [...map].map(([k, v]) => [
    connectToJson(keySchema, k, options),
    connectToJson(valueSchema, v, options),
  ]);
}

/** ConnectSchema.schemaType(class): the type a schemaless value is written as. */
function schemalessType(value: unknown): SchemaType {
  switch (typeof value) {
    case 'string':
      return 'STRING';
    case 'boolean':
      return 'BOOLEAN';
    case 'bigint':
      return 'INT64';
    case 'number':
      // A JS number has no Integer/Double distinction; integral values are written as integers.
      return Number.isSafeInteger(value) ? 'INT64' : 'FLOAT64';
  }
  if (value instanceof Uint8Array) return 'BYTES';
  if (Array.isArray(value)) return 'ARRAY';
  if (value instanceof Map) return 'MAP';
  if (value instanceof Struct) return 'STRUCT';
  throw new DataException(`Java class ${describeClass(value)} does not have corresponding schema type.`);
}

function logicalMismatch(logical: string, expected: string, value: unknown): DataException {
  return new DataException(
    `Invalid type for ${logical}, expected ${expected} but was ${describeClass(value)}`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function setMember(obj: JsonObject, key: string, value: JsonNode): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
