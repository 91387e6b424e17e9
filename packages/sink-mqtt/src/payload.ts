import {
  RecordView,
  Timestamp,
  isDecimal,
  isStruct,
  projectRecord,
  toJsonText,
  toPlain,
  type KcqlStatement,
  type Schema,
} from '@sluice/core/sink';

/**
 * An MQTT payload: bytes, or text sent as UTF-8. Text stays a string until it is written, so that it is
 * encoded once, straight into the packet (QoS 0) or by mqtt.js (QoS 1/2).
 */
export type MqttPayload = Buffer | string;

// The bytes of an MQTT message. Pass-through (`SELECT *`, Stream Reactor ≥ 9): bytes as they are, text
// as UTF-8, Structs, Maps and arrays as JSON, other scalars as their text. Projection (select lists,
// IGNORE, WITHSTRUCTURE, Stream Reactor ≤ 8): JSON of the shared KCQL projection; a selected field the
// record lacks is left out, as the reference did.
// Connect Timestamps are written as epoch milliseconds, as both Stream Reactor generations do
// (SimpleJsonConverter ≤ 8, JsonConverter ≥ 9); Dates and Times as ISO-8601 text (the shared JSON writer's
// choice; the two generations disagree there).

export function passThroughPayload(value: unknown): MqttPayload {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (isDecimal(value)) return value.toString();
  if (
    isStruct(value) ||
    value instanceof Map ||
    Array.isArray(value) ||
    (typeof value === 'object' && value !== null)
  ) {
    return toJsonText(toPlain(value));
  }
  return String(value);
}

export function projectedPayload(view: RecordView, statement: KcqlStatement): MqttPayload {
  const document = projectRecord(view, statement, { ...view.context, missingFields: 'omit' });
  return toJsonText(document);
}

/**
 * The value with its Timestamp fields (at any depth) replaced by epoch milliseconds. Once the schema is
 * gone a Timestamp and a Date are both a JS Date, so this walks the value along its schema; values whose
 * schema holds no Timestamp are returned as they are.
 */
export function withEpochTimestamps(value: unknown, schema: Schema | null): unknown {
  if (schema === null || !hasTimestamp(schema)) return value;
  return convert(value, schema);
}

function convert(value: unknown, schema: Schema): unknown {
  if (value === null || value === undefined) return value;
  if (schema.name === Timestamp.LOGICAL_NAME) return value instanceof Date ? value.getTime() : value;
  switch (schema.type) {
    case 'STRUCT': {
      if (!isStruct(value)) return value;
      const out: Record<string, unknown> = {};
      for (const field of schema.fields()) out[field.name] = convert(value.get(field.name), field.schema);
      return out;
    }
    case 'ARRAY':
      return Array.isArray(value) ? value.map((v) => convert(v, schema.valueSchema())) : value;
    case 'MAP':
      return value instanceof Map
        ? new Map([...value].map(([k, v]) => [k, convert(v, schema.valueSchema())]))
        : value;
    default:
      return value;
  }
}

const timestampInside = new WeakMap<Schema, boolean>();

function hasTimestamp(schema: Schema | null): boolean {
  if (schema === null) return false;
  const known = timestampInside.get(schema);
  if (known !== undefined) return known;
  let found = schema.name === Timestamp.LOGICAL_NAME;
  if (!found && schema.type === 'STRUCT') found = schema.fields().some((f) => hasTimestamp(f.schema));
  if (!found && (schema.type === 'ARRAY' || schema.type === 'MAP'))
    found = hasTimestamp(schema.valueSchema());
  timestampInside.set(schema, found);
  return found;
}
