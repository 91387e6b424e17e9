import { isDecimal } from './connect-values.js';

// A projected document as JSON text, for sinks that send JSON (MQTT, JMS, CoAP, Elasticsearch…).
// JSON.stringify cannot: it throws on bigint and would round decimals. Here INT64 (bigint) and Decimal
// are written as exact JSON numbers, as Stream Reactor's SimpleJsonConverter does; bytes as base64
// (its binary nodes); dates as ISO-8601 UTC strings; a Map with non-string keys as [key, value] pairs.

export function toJsonText(value: unknown): string {
  return write(value);
}

function write(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      return 'null';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('base64'));
  if (isDecimal(value)) return value.toString();
  if (Array.isArray(value)) return `[${value.map(write).join(',')}]`;
  if (value instanceof Map)
    return `[${[...value.entries()].map(([k, v]) => `[${write(k)},${write(v)}]`).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${JSON.stringify(k)}:${write(v)}`,
  );
  return `{${entries.join(',')}}`;
}
