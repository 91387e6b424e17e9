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
  validateAt(schema, value, field == null ? 'value' : `field: "${field}"`);
}

function validateAt(schema: Schema, value: unknown, location: string): void {
  if (value === null || value === undefined) {
    if (!schema.optional) {
      throw new DataException(
        `Invalid value: null used for required ${location}, schema type: ${schema.type}`,
      );
    }
    return;
  }
  if (!hasExpectedClass(schema, value)) {
    const named = schema.name !== null ? ` "${schema.name}"` : '';
    throw new DataException(
      `Invalid Java object for schema${named} with type ${schema.type}: ${describeClass(value)} for ${location}`,
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
      const entryLocation = `element of array ${location}`;
      const elementSchema = schemaNotNull(schema.valueSchema(), entryLocation);
      for (const element of value as unknown[]) validateAt(elementSchema, element, entryLocation);
      break;
    }
    case 'MAP': {
      const keyLocation = `key of map ${location}`;
      const valueLocation = `value of map ${location}`;
      const keySchema = schemaNotNull(schema.keySchema(), keyLocation);
      const valueSchema = schemaNotNull(schema.valueSchema(), valueLocation);
      for (const [k, v] of value as Map<unknown, unknown>) {
        validateAt(keySchema, k, keyLocation);
        validateAt(valueSchema, v, valueLocation);
      }
      break;
    }
    default:
      break;
  }
}

function schemaNotNull(schema: Schema | null, location: string): Schema {
  if (!schema) throw new DataException(`No schema defined for ${location}`);
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
