import { DataException } from '../errors.js';
import { Schema } from '../data/schema.js';
import { SchemaAndValue } from '../data/schema-and-value.js';
import { Values } from '../data/values.js';
import type { ConverterConfig, HeaderConverter } from './api.js';

export interface HeaderWarningLogger {
  warn(msg: string, ctx?: object): void;
}

/**
 * Kafka Connect's default header converter (org.apache.kafka.connect.storage.SimpleHeaderConverter):
 * values are written as their string form and read back with Values' type inference.
 */
export class SimpleHeaderConverter implements HeaderConverter {
  constructor(private readonly logger?: HeaderWarningLogger) {}

  configure(_config: ConverterConfig): void {}

  toConnectHeader(topic: string, headerKey: string, bytes: Buffer | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return SchemaAndValue.NULL;
    try {
      return Values.parseString(bytes.toString('utf8'));
    } catch (e) {
      // As Kafka: a header that cannot be inferred is kept as raw bytes rather than failing the record.
      this.logger?.warn(
        `Failed to deserialize value for header '${headerKey}' on topic '${topic}', so using byte array`,
        {
          error: (e as Error).message,
        },
      );
      return new SchemaAndValue(Schema.BYTES_SCHEMA, bytes);
    }
  }

  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    try {
      return Buffer.from(Values.convertToString(schema, value) as string, 'utf8');
    } catch (e) {
      throw new DataException(
        `Failed to serialize value for header '${headerKey}' on topic '${topic}': ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
}
