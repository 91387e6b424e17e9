import {
  RecordView,
  isDecimal,
  mapValue,
  projectRecord,
  toJsonText,
  valueHooks,
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
// Values are mapped by their Connect schema (the kit's value hooks): Timestamps are written as epoch
// milliseconds, as both Stream Reactor generations do (SimpleJsonConverter ≤ 8, JsonConverter ≥ 9);
// Dates and Times as ISO-8601 text (the shared JSON writer's choice; the two generations disagree there).

export const jsonHooks = valueHooks<unknown>({
  timestamp: (d) => d.getTime(),
  time: (ms) => new Date(ms),
});

export function passThroughPayload(value: unknown, schema: Schema | null): MqttPayload {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !isDecimal(value) && !(value instanceof Date)) {
    return toJsonText(mapValue(value, schema, jsonHooks));
  }
  const scalar = mapValue(value, schema, jsonHooks);
  if (scalar instanceof Date) return scalar.toISOString();
  return String(isDecimal(scalar) ? scalar.toString() : scalar);
}

export function projectedPayload(view: RecordView, statement: KcqlStatement): MqttPayload {
  const document = projectRecord(view, statement, {
    ...view.context,
    missingFields: 'omit',
    valueHooks: jsonHooks,
  });
  return toJsonText(document);
}
