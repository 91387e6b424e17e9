import { DataException } from '../errors.js';
import { ConnectDecimal } from './connect-decimal.js';
import {
  DATE_LOGICAL_NAME,
  DECIMAL_LOGICAL_NAME,
  TIME_LOGICAL_NAME,
  TIMESTAMP_LOGICAL_NAME,
} from './logical-names.js';
import type { Schema } from './schema.js';
import { SchemaBuilder } from './schema-builder.js';

// Connect's logical types (org.apache.kafka.connect.data.Decimal/Date/Time/Timestamp): a named schema over
// a primitive, plus conversions between the logical value and the encoded primitive.

const MILLIS_PER_DAY = 86_400_000;
const JsDate = globalThis.Date;

function checkName(schema: Schema, logicalName: string, what: string): void {
  if (schema.name !== logicalName) {
    throw new DataException(`Requested conversion of ${what} object but the schema does not match.`);
  }
}

export const Decimal = Object.freeze({
  LOGICAL_NAME: DECIMAL_LOGICAL_NAME,
  SCALE_FIELD: 'scale',

  builder(scale: number): SchemaBuilder {
    return SchemaBuilder.bytes().name(DECIMAL_LOGICAL_NAME).parameter('scale', String(scale)).version(1);
  },

  schema(scale: number): Schema {
    return Decimal.builder(scale).build();
  },

  /** The `scale` parameter of a Decimal schema. */
  scale(schema: Schema): number {
    const text = schema.parameters?.get('scale');
    if (text == null) throw new DataException('Invalid Decimal schema: scale parameter not found.');
    if (!/^[+-]?\d+$/.test(text.trim())) {
      throw new DataException(`Invalid scale parameter found in Decimal schema: "${text}" is not an integer`);
    }
    return Number(text.trim());
  },

  /** Big-endian two's-complement bytes of the unscaled value, minimal length (BigInteger.toByteArray). */
  fromLogical(schema: Schema, value: ConnectDecimal): Buffer {
    checkName(schema, DECIMAL_LOGICAL_NAME, 'Decimal');
    const scale = Decimal.scale(schema);
    if (value.scale !== scale) {
      throw new DataException(
        `Decimal value has mismatching scale for given Decimal schema. Schema has scale ${scale}, value has scale ${value.scale}.`,
      );
    }
    return bigintToTwosComplement(value.unscaled);
  },

  toLogical(schema: Schema, bytes: Uint8Array): ConnectDecimal {
    checkName(schema, DECIMAL_LOGICAL_NAME, 'Decimal');
    return new ConnectDecimal(twosComplementToBigint(bytes), Decimal.scale(schema));
  },
});

/** Days since the epoch (UTC) as INT32. Named `Date` as in Kafka; the global Date stays reachable as `globalThis.Date`. */
export const LogicalDate = Object.freeze({
  LOGICAL_NAME: DATE_LOGICAL_NAME,

  builder(): SchemaBuilder {
    return SchemaBuilder.int32().name(DATE_LOGICAL_NAME).version(1);
  },

  schema(): Schema {
    return LogicalDate.builder().build();
  },

  fromLogical(schema: Schema, value: Date): number {
    checkName(schema, DATE_LOGICAL_NAME, 'Date');
    const millis = value.getTime();
    if (millis % MILLIS_PER_DAY !== 0) {
      throw new DataException(
        'Kafka Connect Date type should not have any time fields set to non-zero values.',
      );
    }
    return millis / MILLIS_PER_DAY;
  },

  toLogical(schema: Schema, days: number): Date {
    checkName(schema, DATE_LOGICAL_NAME, 'Date');
    return new JsDate(days * MILLIS_PER_DAY);
  },
});

/** Milliseconds since midnight (UTC) as INT32. */
export const Time = Object.freeze({
  LOGICAL_NAME: TIME_LOGICAL_NAME,

  builder(): SchemaBuilder {
    return SchemaBuilder.int32().name(TIME_LOGICAL_NAME).version(1);
  },

  schema(): Schema {
    return Time.builder().build();
  },

  fromLogical(schema: Schema, value: Date): number {
    checkName(schema, TIME_LOGICAL_NAME, 'Time');
    const millis = value.getTime();
    if (millis < 0 || millis > MILLIS_PER_DAY) {
      throw new DataException(
        'Kafka Connect Time type should not have any date fields set to non-zero values.',
      );
    }
    return millis;
  },

  toLogical(schema: Schema, millis: number): Date {
    checkName(schema, TIME_LOGICAL_NAME, 'Time');
    if (millis < 0 || millis > MILLIS_PER_DAY) {
      throw new DataException(
        'Time values must use number of milliseconds greater than 0 and less than 86400000',
      );
    }
    return new JsDate(millis);
  },
});

/** Milliseconds since the epoch as INT64 (bigint on the wire side). */
export const Timestamp = Object.freeze({
  LOGICAL_NAME: TIMESTAMP_LOGICAL_NAME,

  builder(): SchemaBuilder {
    return SchemaBuilder.int64().name(TIMESTAMP_LOGICAL_NAME).version(1);
  },

  schema(): Schema {
    return Timestamp.builder().build();
  },

  fromLogical(schema: Schema, value: Date): bigint {
    checkName(schema, TIMESTAMP_LOGICAL_NAME, 'Timestamp');
    return BigInt(value.getTime());
  },

  toLogical(schema: Schema, millis: bigint | number): Date {
    checkName(schema, TIMESTAMP_LOGICAL_NAME, 'Timestamp');
    return new JsDate(Number(millis));
  },
});

export function bigintToTwosComplement(value: bigint): Buffer {
  // Minimal length: enough bytes that the top bit is the sign bit.
  let length = 1;
  while (value < -(1n << BigInt(length * 8 - 1)) || value >= 1n << BigInt(length * 8 - 1)) length++;
  let v = BigInt.asUintN(length * 8, value);
  const out = Buffer.alloc(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function twosComplementToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return BigInt.asIntN(bytes.length * 8, v);
}
