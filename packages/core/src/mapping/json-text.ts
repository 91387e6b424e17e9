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
  // Concatenation rather than map/join: no array per container (this runs for every record).
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + write(value[i]);
    return out + ']';
  }
  if (value instanceof Map) {
    let out = '[';
    for (const [k, v] of value) out += (out.length === 1 ? '[' : ',[') + write(k) + ',' + write(v) + ']';
    return out + ']';
  }
  const object = value as Record<string, unknown>;
  let out = '{';
  for (const k of Object.keys(object)) {
    out += (out.length === 1 ? '' : ',') + JSON.stringify(k) + ':' + write(object[k]);
  }
  return out + '}';
}
