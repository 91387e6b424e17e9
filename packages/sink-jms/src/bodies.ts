import {
  DataException,
  RawAvroEncoder,
  isStruct,
  projectRecord,
  recordError,
  toJsonText,
  valueHooks,
  type SinkRecord,
  type ValueHooks,
} from '@sluice/core/sink';
import type { JmsRoute } from './routes.js';
import { projectStruct } from './struct-projection.js';
import { MapBodyError, xstreamMapBody, type MapItem } from './xstream-map.js';

// The body of each WITHFORMAT (spec/stream-reactor-sinks.md §5.3):
// - JSON: the KCQL projection as JSON text (TextMessage). Timestamps as epoch milliseconds, as
//   Stream Reactor's JSON converter wrote them; bytes as base64; INT64 and decimals exact.
// - TEXT: the value as it is (a string, or bytes read as UTF-8) (TextMessage).
// - BINARY: the value's bytes (BytesMessage).
// - AVRO: the projected Struct as raw Avro binary, with the Avro schema of its Connect schema and no
//   registry header, as the reference wrote it (BytesMessage).
// - MAP: the projected value as typed MapMessage entries (see xstream-map.ts and mapItemHooks).

export interface BodyContext {
  readonly connectorName: string;
}

/** JSON values as Stream Reactor's JSON converter wrote them: Timestamps as epoch millis. */
const jsonHooks = valueHooks({ timestamp: (d: Date) => d.getTime() });

export function jsonBody(record: SinkRecord, route: JmsRoute, context: BodyContext): string {
  // JSON text with `SELECT *` is sent as it was written (checked to be a JSON object): parsing and
  // writing it again would change nothing a JSON reader sees, and costs most of the sink's CPU.
  if (route.selectsAll && (typeof record.value === 'string' || Buffer.isBuffer(record.value))) {
    return jsonObjectText(record, record.value, context);
  }
  const document = projectRecord(record, route.statement, {
    connectorName: context.connectorName,
    missingFields: 'omit',
    valueHooks: jsonHooks,
  });
  return toJsonText(document);
}

function jsonObjectText(record: SinkRecord, value: string | Buffer, context: BodyContext): string {
  const text = typeof value === 'string' ? value : value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw recordError(record, context, `the value is not valid JSON (${(e as Error).message})`, undefined, e);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw recordError(record, context, `the value is JSON ${describe(parsed)}, not a JSON object`);
  }
  return text;
}

export function textBody(record: SinkRecord, context: BodyContext): string {
  const v = record.value;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  throw recordError(
    record,
    context,
    `WITHFORMAT TEXT sends the value as it is, and this value is a ${describe(v)}; use WITHFORMAT JSON for structured values`,
  );
}

export function binaryBody(record: SinkRecord, context: BodyContext): Buffer {
  const v = record.value;
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  throw recordError(
    record,
    context,
    `WITHFORMAT BINARY sends the value's bytes, and this value is a ${describe(v)}; ` +
      'read the topic with value.converter=org.apache.kafka.connect.converters.ByteArrayConverter',
  );
}

const avro = new RawAvroEncoder();

export function avroBody(record: SinkRecord, route: JmsRoute, context: BodyContext): Buffer {
  const struct = projectStruct(record.value, route.statement);
  if (struct === null) {
    throw recordError(
      record,
      context,
      `WITHFORMAT AVRO needs a Struct value (Avro, or JSON with schemas), and this value is a ${describe(record.value)}`,
    );
  }
  try {
    return avro.encode(struct.schema, struct);
  } catch (e) {
    if (e instanceof DataException) throw recordError(record, context, e.message, undefined, e);
    throw e;
  }
}

/**
 * Connect values → MapMessage entries, by schema (a FLOAT64 3.0 stays a Double, an INT64 a Long).
 * MapMessage has no decimal, date or byte[] (ActiveMQ's XStream allow-list refuses byte[] over
 * STOMP), so: Decimal → its exact text, Date and Timestamp → epoch millis (long), Time → millis of
 * the day (int), bytes → base64 text.
 */
export const mapItemHooks: ValueHooks<MapItem> = {
  null: () => ({ t: 'null' }),
  boolean: (v) => ({ t: 'boolean', v }),
  int: (v, type) => ({ t: type === 'INT8' ? 'byte' : type === 'INT16' ? 'short' : 'int', v }),
  int64: (v) => ({ t: 'long', v }),
  float: (v, type) => ({ t: type === 'FLOAT32' ? 'float' : 'double', v }),
  string: (v) => ({ t: 'string', v }),
  bytes: (v) => ({ t: 'string', v: v.toString('base64') }),
  decimal: (v) => ({ t: 'string', v: v.toString() }),
  date: (d) => ({ t: 'long', v: BigInt(d.getTime()) }),
  time: (ms) => ({ t: 'int', v: ms }),
  timestamp: (d) => ({ t: 'long', v: BigInt(d.getTime()) }),
  array: (items) => ({ t: 'list', v: items }),
  map: (entries) => ({ t: 'map', v: entries.map(([k, v]) => [entryKey(k), v] as const) }),
  struct: (fields) => ({ t: 'map', v: fields }),
};

export function mapBody(record: SinkRecord, route: JmsRoute, context: BodyContext): string {
  // The projection maps each selected value by its schema (a FLOAT64 3.0 stays a Double), at any depth.
  const document = projectRecord(record, route.statement, {
    connectorName: context.connectorName,
    missingFields: 'omit',
    valueHooks: mapItemHooks as ValueHooks,
  }) as Record<string, MapItem>;
  try {
    return xstreamMapBody(Object.entries(document));
  } catch (e) {
    if (e instanceof MapBodyError) throw recordError(record, context, e.message, undefined, e);
    throw e;
  }
}

function entryKey(key: MapItem): string {
  switch (key.t) {
    case 'null':
      return 'null';
    case 'map':
    case 'list':
      return JSON.stringify(key.v, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    default:
      return String(key.v);
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (isStruct(v)) return 'Struct';
  if (v instanceof Map) return 'Map';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
