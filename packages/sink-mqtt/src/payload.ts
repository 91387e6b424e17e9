import {
  RecordView,
  isDecimal,
  isStruct,
  projectRecord,
  toJsonText,
  toPlain,
  type KcqlStatement,
} from '@sluice/core';

// The bytes of an MQTT message. Pass-through (`SELECT *`, Stream Reactor ≥ 9): bytes as they are, text
// as UTF-8, Structs, Maps and arrays as JSON, other scalars as their text. Projection (select lists,
// IGNORE, WITHSTRUCTURE, Stream Reactor ≤ 8): JSON of the shared KCQL projection; a selected field the
// record lacks is left out, as the reference did.

export function passThroughPayload(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Date) return Buffer.from(value.toISOString(), 'utf8');
  if (isDecimal(value)) return Buffer.from(value.toString(), 'utf8');
  if (
    isStruct(value) ||
    value instanceof Map ||
    Array.isArray(value) ||
    (typeof value === 'object' && value !== null)
  ) {
    return Buffer.from(toJsonText(toPlain(value)), 'utf8');
  }
  return Buffer.from(String(value), 'utf8');
}

export function projectedPayload(view: RecordView, statement: KcqlStatement): Buffer {
  const document = projectRecord(view, statement, { ...view.context, missingFields: 'omit' });
  return Buffer.from(toJsonText(document), 'utf8');
}
