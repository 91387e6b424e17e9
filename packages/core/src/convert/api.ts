import type { Schema, SchemaAndValue } from '../data/index.js';

/** Config map handed to converters: the `key.converter.` / `value.converter.` prefix already stripped. */
export type ConverterConfig = Record<string, string>;

/**
 * Kafka Connect's Converter: bytes on a topic <-> Connect data. `configure` is called once before use
 * with `isKey` telling which side of the record this instance converts.
 */
export interface Converter {
  configure(config: ConverterConfig, isKey: boolean): void | Promise<void>;
  fromConnectData(
    topic: string,
    schema: Schema | null,
    value: unknown,
  ): Buffer | null | Promise<Buffer | null>;
  toConnectData(topic: string, bytes: Buffer | null): SchemaAndValue | Promise<SchemaAndValue>;
  close?(): void | Promise<void>;
}

export interface HeaderConverter {
  configure(config: ConverterConfig): void;
  toConnectHeader(topic: string, headerKey: string, bytes: Buffer | null): SchemaAndValue;
  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null, value: unknown): Buffer | null;
  close?(): void | Promise<void>;
}
