import { DataException } from '../errors.js';
import { Schema } from '../data/schema.js';
import { SchemaAndValue } from '../data/schema-and-value.js';
import { describeClass } from '../data/validate.js';
import type { Converter, ConverterConfig, HeaderConverter } from './api.js';

/** Kafka Connect's org.apache.kafka.connect.converters.ByteArrayConverter: bytes pass through unchanged. */
export class ByteArrayConverter implements Converter, HeaderConverter {
  configure(_config: ConverterConfig, _isKey?: boolean): void {}

  fromConnectData(topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (schema !== null && schema.type !== 'BYTES') {
      throw new DataException(`Invalid schema type for ByteArrayConverter: ${schema.type} (topic ${topic})`);
    }
    if (value === null || value === undefined) return null;
    if (!(value instanceof Uint8Array)) {
      throw new DataException(
        `ByteArrayConverter is not compatible with objects of type ${describeClass(value)} (topic ${topic})`,
      );
    }
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    return new SchemaAndValue(Schema.OPTIONAL_BYTES_SCHEMA, bytes ?? null);
  }

  fromConnectHeader(topic: string, _headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }
}
