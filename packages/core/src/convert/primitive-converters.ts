import { DataException } from '../errors.js';
import { Schema } from '../data/schema.js';
import { SchemaAndValue } from '../data/schema-and-value.js';
import { describeClass, isValueOfType } from '../data/validate.js';
import type { Converter, ConverterConfig, HeaderConverter } from './api.js';

// Kafka Connect's primitive converters (package org.apache.kafka.connect.converters): one number or
// boolean per key, value or header, in the bytes of Kafka's own serializers (big-endian, fixed size),
// e.g. `key.converter=org.apache.kafka.connect.converters.LongConverter` for keys written by a producer
// with LongSerializer. Reading wrong-sized bytes fails with the deserializer's message, as in Kafka.

/** How one of Kafka's fixed-size serializers writes a value of its type. */
interface NumberFormat {
  /** The name Kafka's messages use: "Failed to deserialize integer". */
  readonly typeName: string;
  /** Kafka's size message names the deserializer (only some of them by their own name). */
  readonly deserializerName: string;
  readonly size: number;
  readonly schema: Schema;
  read(bytes: Buffer): number | bigint;
  write(value: number | bigint, into: Buffer): void;
}

/** Kafka Connect's NumberConverter: the shared part of Short/Integer/Long/Float/DoubleConverter. */
abstract class NumberConverter implements Converter, HeaderConverter {
  protected constructor(private readonly format: NumberFormat) {}

  // No settings: Kafka's NumberConverterConfig only carries the converter type (key, value, header).
  configure(_config: ConverterConfig, _isKey?: boolean): void {}

  fromConnectData(_topic: string, _schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    const { typeName, size, schema } = this.format;
    if (!isValueOfType(schema.type, value)) {
      throw new DataException(`Failed to serialize to ${typeName} (was ${describeClass(value)})`);
    }
    const bytes = Buffer.alloc(size);
    this.format.write(value as number | bigint, bytes);
    return bytes;
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    const { typeName, deserializerName, size, schema } = this.format;
    if (bytes === null || bytes === undefined) return new SchemaAndValue(schema, null);
    if (bytes.length !== size) {
      throw new DataException(
        `Failed to deserialize ${typeName}: Size of data received by ${deserializerName} is not ${size}`,
      );
    }
    return new SchemaAndValue(schema, this.format.read(bytes));
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }
}

const SHORT: NumberFormat = {
  typeName: 'short',
  deserializerName: 'ShortDeserializer',
  size: 2,
  schema: Schema.OPTIONAL_INT16_SCHEMA,
  read: (b) => b.readInt16BE(0),
  write: (v, b) => b.writeInt16BE(Number(v), 0),
};
const INTEGER: NumberFormat = {
  typeName: 'integer',
  deserializerName: 'IntegerDeserializer',
  size: 4,
  schema: Schema.OPTIONAL_INT32_SCHEMA,
  read: (b) => b.readInt32BE(0),
  write: (v, b) => b.writeInt32BE(Number(v), 0),
};
const LONG: NumberFormat = {
  typeName: 'long',
  deserializerName: 'LongDeserializer',
  size: 8,
  schema: Schema.OPTIONAL_INT64_SCHEMA,
  read: (b) => b.readBigInt64BE(0),
  write: (v, b) => b.writeBigInt64BE(BigInt(v), 0),
};
// Kafka's FloatDeserializer and DoubleDeserializer name themselves just "Deserializer" in their messages.
const FLOAT: NumberFormat = {
  typeName: 'float',
  deserializerName: 'Deserializer',
  size: 4,
  schema: Schema.OPTIONAL_FLOAT32_SCHEMA,
  read: (b) => b.readFloatBE(0),
  write: (v, b) => b.writeFloatBE(Number(v), 0),
};
const DOUBLE: NumberFormat = {
  typeName: 'double',
  deserializerName: 'Deserializer',
  size: 8,
  schema: Schema.OPTIONAL_FLOAT64_SCHEMA,
  read: (b) => b.readDoubleBE(0),
  write: (v, b) => b.writeDoubleBE(Number(v), 0),
};

// One class per Kafka class name: error messages and /connector-plugins name the converter's class.

/** org.apache.kafka.connect.converters.ShortConverter: INT16 as 2 bytes (ShortSerializer). */
export class ShortConverter extends NumberConverter {
  constructor() {
    super(SHORT);
  }
}

/** org.apache.kafka.connect.converters.IntegerConverter: INT32 as 4 bytes (IntegerSerializer). */
export class IntegerConverter extends NumberConverter {
  constructor() {
    super(INTEGER);
  }
}

/** org.apache.kafka.connect.converters.LongConverter: INT64 (a bigint) as 8 bytes (LongSerializer). */
export class LongConverter extends NumberConverter {
  constructor() {
    super(LONG);
  }
}

/** org.apache.kafka.connect.converters.FloatConverter: FLOAT32 as 4 bytes IEEE 754 (FloatSerializer). */
export class FloatConverter extends NumberConverter {
  constructor() {
    super(FLOAT);
  }
}

/** org.apache.kafka.connect.converters.DoubleConverter: FLOAT64 as 8 bytes IEEE 754 (DoubleSerializer). */
export class DoubleConverter extends NumberConverter {
  constructor() {
    super(DOUBLE);
  }
}

/** org.apache.kafka.connect.converters.BooleanConverter: BOOLEAN as one byte, 0 or 1 (BooleanSerializer). */
export class BooleanConverter implements Converter, HeaderConverter {
  configure(_config: ConverterConfig, _isKey?: boolean): void {}

  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (schema !== null && schema.type !== 'BOOLEAN') {
      throw new DataException(`Invalid schema type for BooleanConverter: ${schema.type}`);
    }
    if (value === null || value === undefined) return null;
    if (typeof value !== 'boolean') {
      throw new DataException(
        `BooleanConverter is not compatible with objects of type ${describeClass(value)}`,
      );
    }
    return Buffer.from([value ? 1 : 0]);
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    const schema = Schema.OPTIONAL_BOOLEAN_SCHEMA;
    if (bytes === null || bytes === undefined) return new SchemaAndValue(schema, null);
    if (bytes.length !== 1) {
      throw new DataException(
        'Failed to deserialize boolean: Size of data received by BooleanDeserializer is not 1',
      );
    }
    if (bytes[0] !== 0 && bytes[0] !== 1) {
      throw new DataException(
        `Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: ${(bytes[0]! << 24) >> 24}`,
      );
    }
    return new SchemaAndValue(schema, bytes[0] === 1);
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }
}
