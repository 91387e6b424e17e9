import { DataException } from '../../errors.js';
import { ConnectDecimal } from '../../data/connect-decimal.js';
import { Decimal, LogicalDate, Time, Timestamp } from '../../data/logical-types.js';
import type { Schema } from '../../data/schema.js';
import { Struct } from '../../data/struct.js';
import {
  isIntegralNumber,
  isJsonObject,
  isNumberNode,
  JsonNumberText,
  nodeTypeName,
  type JsonNode,
} from './json-node.js';
import { INEXACT_NUMBER } from './json-parser.js';

// JsonConverter's JSON → Connect direction (convertToConnect). Deviation from Java, on purpose: Java
// narrows numbers silently ((byte) intValue(), longValue()) and reads a wrong node type as 0/false/null;
// here a value that does not fit its schema is a DataException naming the type and what was found.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const INT_BOUNDS = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
} as const;

/** Schemaless data: integral numbers → bigint (INT64), other numbers → number, objects → Map. */
export function schemalessToConnect(node: JsonNode | undefined): unknown {
  // Hot path of schemaless decoding: kept branch-light on purpose.
  if (typeof node !== 'object') {
    if (typeof node === 'number') return Number.isInteger(node) ? integerToInt64(node) : node;
    if (typeof node === 'bigint') return toInt64(node);
    return node === undefined ? null : node;
  }
  if (node === null) return null;
  if (Array.isArray(node)) {
    // The tree was parsed for this call only, so the array is reused.
    for (let i = 0; i < node.length; i++) node[i] = schemalessToConnect(node[i]) as JsonNode;
    return node;
  }
  if (node instanceof JsonNumberText) return node.toNumber();
  const map = new Map<string, unknown>();
  // for-in is the fastest key walk over JSON-parsed objects; they have no inherited enumerable keys.
  for (const key in node) map.set(key, schemalessToConnect(node[key]));
  return map;
}

export function jsonToConnect(
  schema: Schema | null,
  node: JsonNode | undefined,
  replaceNullWithDefault: boolean,
): unknown {
  if (schema === null) return schemalessToConnect(node);
  if (node === null || node === undefined) {
    if (schema.defaultValue !== null && replaceNullWithDefault) return schema.defaultValue;
    if (schema.optional) return null;
    throw new DataException(`Invalid null value for required ${schema.type} field`);
  }
  switch (schema.name) {
    case Decimal.LOGICAL_NAME:
      return decimalToConnect(schema, node);
    case LogicalDate.LOGICAL_NAME:
      return LogicalDate.toLogical(schema, int32Logical(node, 'Date'));
    case Time.LOGICAL_NAME:
      return Time.toLogical(schema, int32Logical(node, 'Time'));
    case Timestamp.LOGICAL_NAME:
      if (!isIntegralNumber(node)) {
        throw new DataException(
          `Invalid type for Timestamp, underlying representation should be integral but was ${nodeTypeName(node)}`,
        );
      }
      return Timestamp.toLogical(schema, typeof node === 'number' ? integerToInt64(node) : toInt64(node));
  }
  switch (schema.type) {
    case 'BOOLEAN':
      if (typeof node !== 'boolean') throw mismatch(schema, node);
      return node;
    case 'INT8':
    case 'INT16':
    case 'INT32': {
      if (!isIntegralNumber(node)) throw mismatch(schema, node);
      const [min, max] = INT_BOUNDS[schema.type];
      const n = Number(node);
      if (n < min || n > max) throw new DataException(`Value ${node} is out of range for ${schema.type}`);
      return n;
    }
    case 'INT64':
      if (!isIntegralNumber(node)) throw mismatch(schema, node);
      return typeof node === 'number' ? integerToInt64(node) : toInt64(node);
    case 'FLOAT32':
    case 'FLOAT64':
      if (!isNumberNode(node)) throw mismatch(schema, node);
      return node instanceof JsonNumberText ? node.toNumber() : Number(node);
    case 'STRING':
      if (typeof node !== 'string') throw mismatch(schema, node);
      return node;
    case 'BYTES':
      if (typeof node !== 'string') throw mismatch(schema, node);
      return decodeBase64(node, 'BYTES');
    case 'ARRAY': {
      if (!Array.isArray(node))
        throw new DataException(`Arrays should be encoded as JSON arrays, but found ${nodeTypeName(node)}`);
      const elementSchema = schema.valueSchema();
      return node.map((e) => jsonToConnect(elementSchema, e, replaceNullWithDefault));
    }
    case 'MAP':
      return mapToConnect(schema, node, replaceNullWithDefault);
    case 'STRUCT': {
      if (!isJsonObject(node)) {
        throw new DataException(`Structs should be encoded as JSON objects, but found ${nodeTypeName(node)}`);
      }
      // Every value below is converted with its field's schema (or rejected), so it needs no validation.
      const fields = schema.fields();
      const values: unknown[] = [];
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i]!;
        const member = Object.hasOwn(node, field.name) ? node[field.name] : undefined;
        values.push(jsonToConnect(field.schema, member, replaceNullWithDefault));
      }
      return Struct.fromValidatedValues(schema, values);
    }
  }
}

function mapToConnect(
  schema: Schema,
  node: JsonNode,
  replaceNullWithDefault: boolean,
): Map<unknown, unknown> {
  const keySchema = schema.keySchema();
  const valueSchema = schema.valueSchema();
  const result = new Map<unknown, unknown>();
  if (!keySchema || keySchema.type === 'STRING') {
    if (!isJsonObject(node)) {
      throw new DataException(
        `Maps with string fields should be encoded as JSON objects, but found ${nodeTypeName(node)}`,
      );
    }
    for (const key of Object.keys(node))
      result.set(key, jsonToConnect(valueSchema, node[key], replaceNullWithDefault));
    return result;
  }
  if (!Array.isArray(node)) {
    throw new DataException(
      `Maps with non-string fields should be encoded as JSON array of tuples, but found ${nodeTypeName(node)}`,
    );
  }
  for (const entry of node) {
    if (!Array.isArray(entry)) {
      throw new DataException(`Found invalid map entry instead of array tuple: ${nodeTypeName(entry)}`);
    }
    if (entry.length !== 2)
      throw new DataException(`Found invalid map entry, expected length 2 but found :${entry.length}`);
    result.set(
      jsonToConnect(keySchema, entry[0], replaceNullWithDefault),
      jsonToConnect(valueSchema, entry[1], replaceNullWithDefault),
    );
  }
  return result;
}

function decimalToConnect(schema: Schema, node: JsonNode): ConnectDecimal {
  // A number is taken with its own textual scale, not rescaled to the schema's (as Java does).
  if (node instanceof JsonNumberText) return ConnectDecimal.parse(node.text);
  if (typeof node === 'bigint') return new ConnectDecimal(node, 0);
  // A plain number has lost its literal text (and so its scale): ask for an exact parse.
  if (typeof node === 'number') throw INEXACT_NUMBER;
  if (typeof node === 'string') return Decimal.toLogical(schema, decodeBase64(node, 'Decimal'));
  throw new DataException(
    `Invalid type for Decimal, underlying representation should be numeric or bytes but was ${nodeTypeName(node)}`,
  );
}

function int32Logical(node: JsonNode, what: string): number {
  if (!isIntegralNumber(node) || node > 2147483647 || node < -2147483648) {
    throw new DataException(
      `Invalid type for ${what}, underlying representation should be integer but was ${nodeTypeName(node)}`,
    );
  }
  return Number(node);
}

/** An integral JS number as INT64; beyond 2^53 it may have been rounded by JSON.parse. */
function integerToInt64(n: number): bigint {
  if (!Number.isSafeInteger(n)) throw INEXACT_NUMBER;
  return BigInt(n);
}

function toInt64(node: number | bigint): bigint {
  const v = BigInt(node);
  if (v < INT64_MIN || v > INT64_MAX) throw new DataException(`Value ${v} is out of range for INT64`);
  return v;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(text: string, what: string): Buffer {
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    throw new DataException(`Invalid base64 text for ${what} value`);
  }
  return Buffer.from(text, 'base64');
}

function mismatch(schema: Schema, node: JsonNode): DataException {
  return new DataException(`Invalid JSON for ${schema.type} value: found ${nodeTypeName(node)}`);
}
