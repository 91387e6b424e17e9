import { Schema, Struct, type ConnectHeader, type SinkRecord } from '@sluice/core';

// SinkRecords in every shape a sink receives, for unit tests: a Struct with its schema (Avro, JSON with
// schemas), a schemaless Map (JsonConverter schemas.enable=false), JSON text (StringConverter), and
// tombstones. Offsets count up per factory call unless given.

let nextOffset = 0;

export interface RecordParts {
  topic?: string;
  partition?: number;
  offset?: number;
  key?: unknown;
  keySchema?: Schema | null;
  timestamp?: number | null;
  headers?: ConnectHeader[];
}

export function sinkRecord(value: unknown, valueSchema: Schema | null, parts: RecordParts = {}): SinkRecord {
  return {
    topic: parts.topic ?? 'topic',
    kafkaPartition: parts.partition ?? 0,
    kafkaOffset: parts.offset ?? nextOffset++,
    keySchema: parts.keySchema ?? null,
    key: parts.key ?? null,
    valueSchema,
    value,
    timestamp: parts.timestamp === undefined ? 1_700_000_000_000 : parts.timestamp,
    timestampType: 'CreateTime',
    headers: parts.headers ?? [],
  };
}

/** A Struct value with its schema. */
export function structRecord(value: Struct, parts: RecordParts = {}): SinkRecord {
  return sinkRecord(value, value.schema, parts);
}

/** Schemaless JSON as the JsonConverter gives it with schemas.enable=false: nested objects become Maps. */
export function mapRecord(value: Record<string, unknown>, parts: RecordParts = {}): SinkRecord {
  return sinkRecord(toMaps(value), null, parts);
}

/** JSON text as the StringConverter gives it (value schema STRING). */
export function jsonTextRecord(value: unknown, parts: RecordParts = {}): SinkRecord {
  return sinkRecord(JSON.stringify(value), Schema.STRING_SCHEMA, parts);
}

/** A tombstone: a key and a null value. */
export function tombstone(key: unknown, parts: RecordParts = {}): SinkRecord {
  return sinkRecord(null, null, { ...parts, key });
}

/** Connect header with no schema. */
export function header(key: string, value: unknown): ConnectHeader {
  return { key, schema: null, value };
}

function toMaps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toMaps);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return new Map(Object.entries(value).map(([k, v]) => [k, toMaps(v)]));
  }
  return value;
}
