import { DataException } from '../errors.js';
import { ConnectDecimal } from './connect-decimal.js';
import { schemasEqual } from './equality.js';
import {
  DATE_LOGICAL_NAME,
  DECIMAL_LOGICAL_NAME,
  TIME_LOGICAL_NAME,
  TIMESTAMP_LOGICAL_NAME,
} from './logical-names.js';
import type { Schema, SchemaType } from './schema.js';
import { Struct } from './struct.js';

// ConnectSchema.validateValue: which JS values each schema accepts, with Kafka Connect's messages.
// Java checks the value's class; here INT8/16/32 are range-checked numbers and INT64 is a bigint in the
// int64 range (a safe-integer number is accepted too, for convenience).

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const INT_RANGES: Partial<Record<SchemaType, [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
};

/**
 * Throws DataException when `value` does not fit `schema`. `field` names the struct field for the
 * message; without it the location is "value".
 */
export function validateValue(schema: Schema, value: unknown, field?: string | null): void {
  validateAt(schema, value, field ?? null, '');
}

// The message names where the value sits: `within` (e.g. "element of array key of map ") before the
// field or "value". It is assembled only when a message is thrown, as valid values are the hot case.
function locationOf(field: string | null, within: string): string {
  return within + (field === null ? 'value' : `field: "${field}"`);
}

function validateAt(schema: Schema, value: unknown, field: string | null, within: string): void {
  if (value === null || value === undefined) {
    if (!schema.optional) {
      throw new DataException(
        `Invalid value: null used for required ${locationOf(field, within)}, schema type: ${schema.type}`,
      );
    }
    return;
  }
  if (!hasExpectedClass(schema, value)) {
    const named = schema.name !== null ? ` "${schema.name}"` : '';
    throw new DataException(
      `Invalid Java object for schema${named} with type ${schema.type}: ${describeClass(value)} for ${locationOf(field, within)}`,
    );
  }
  switch (schema.type) {
    case 'STRUCT': {
      const struct = value as Struct;
      if (struct.schema !== schema && !schemasEqual(struct.schema, schema)) {
        throw new DataException('Struct schemas do not match.');
      }
      struct.validate();
      break;
    }
    case 'ARRAY': {
      const entryWithin = `element of array ${within}`;
      const elementSchema = schemaNotNull(schema.valueSchema(), field, entryWithin);
      for (const element of value as unknown[]) validateAt(elementSchema, element, field, entryWithin);
      break;
    }
    case 'MAP': {
      const keyWithin = `key of map ${within}`;
      const valueWithin = `value of map ${within}`;
      const keySchema = schemaNotNull(schema.keySchema(), field, keyWithin);
      const valueSchema = schemaNotNull(schema.valueSchema(), field, valueWithin);
      for (const [k, v] of value as Map<unknown, unknown>) {
        validateAt(keySchema, k, field, keyWithin);
        validateAt(valueSchema, v, field, valueWithin);
      }
      break;
    }
    default:
      break;
  }
}

function schemaNotNull(schema: Schema | null, field: string | null, within: string): Schema {
  if (!schema) throw new DataException(`No schema defined for ${locationOf(field, within)}`);
  return schema;
}

function hasExpectedClass(schema: Schema, value: unknown): boolean {
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME:
      return value instanceof ConnectDecimal;
    case DATE_LOGICAL_NAME:
    case TIME_LOGICAL_NAME:
    case TIMESTAMP_LOGICAL_NAME:
      return value instanceof Date;
  }
  return isValueOfType(schema.type, value);
}

/** Whether `value` is the JS representation of `type` (ignoring logical types and nested schemas). */
export function isValueOfType(type: SchemaType, value: unknown): boolean {
  switch (type) {
    case 'INT8':
    case 'INT16':
    case 'INT32': {
      const [min, max] = INT_RANGES[type] as [number, number];
      return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
    }
    case 'INT64':
      return typeof value === 'bigint'
        ? value >= INT64_MIN && value <= INT64_MAX
        : typeof value === 'number' && Number.isSafeInteger(value);
    case 'FLOAT32':
    case 'FLOAT64':
      return typeof value === 'number';
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'STRING':
      return typeof value === 'string';
    case 'BYTES':
      return value instanceof Uint8Array;
    case 'ARRAY':
      return Array.isArray(value);
    case 'MAP':
      return value instanceof Map;
    case 'STRUCT':
      return value instanceof Struct;
  }
}

/** The runtime "class" of a value for error messages: `string`, `number 300`, `Buffer`, `Map`… */
export function describeClass(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) ? `number ${value}` : 'number';
    case 'bigint':
      return `bigint ${value}`;
    case 'object':
      return (value as object).constructor?.name ?? 'Object';
    default:
      return typeof value;
  }
}
