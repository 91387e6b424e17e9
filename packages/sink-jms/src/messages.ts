import { isDecimal, isStruct, toJsonText, toPlain, type SinkRecord } from '@sluice/core/sink';
import { avroBody, binaryBody, jsonBody, mapBody, textBody, type BodyContext } from './bodies.js';
import type { JmsRoute } from './routes.js';
import { RESERVED_STOMP_HEADERS } from './static-headers.js';
import type { StompMessage } from './stomp-session.js';

// One record + its compiled KCQL statement → one STOMP SEND (pure: unit tested without a broker).
// How ActiveMQ (and Artemis) turn the frame into a JMS message:
// - a frame without `content-length` → TextMessage; with it → BytesMessage (JSON and TEXT bodies are
//   sent without it; a text holding a NUL byte needs it, and `amq-msg-type: text` keeps it a TextMessage);
// - `transformation: jms-map-json` → MapMessage (ActiveMQ Classic);
// - other headers → string properties; `persistent`, `type`, `correlation-id`, `priority`, `expires`,
//   `reply-to` → the JMS header fields; `JMSXGroupID` → the message group.
// Properties, as Stream Reactor's sink set them: each Kafka header as a string property, JMSXGroupID =
// the Kafka partition, then `connect.jms.headers` for the destination. Sluice adds the record key, as
// the property KafkaKey and as the JMSCorrelationID.

export const KEY_PROPERTY = 'KafkaKey';

export interface PreparedMessage extends StompMessage {
  /** Kafka header names that could not travel as properties (they are STOMP frame headers). */
  readonly skippedHeaders: readonly string[];
}

export function toStompMessage(
  record: SinkRecord,
  route: JmsRoute,
  options: BodyContext & { readonly persistent: boolean },
): PreparedMessage {
  const headers: Record<string, string> = {};
  const skippedHeaders: string[] = [];
  if (options.persistent) headers['persistent'] = 'true';
  for (const h of record.headers) {
    const text = propertyText(h.value);
    if (text === null) continue;
    if (RESERVED_STOMP_HEADERS.has(h.key)) skippedHeaders.push(h.key);
    else headers[h.key] = text;
  }
  headers['JMSXGroupID'] = String(record.kafkaPartition);
  const key = propertyText(record.key);
  if (key !== null) {
    headers[KEY_PROPERTY] = key;
    headers['correlation-id'] = key;
  }

  let body: Buffer | string;
  switch (route.format) {
    case 'JSON':
      body = jsonBody(record, route, options);
      break;
    case 'TEXT':
      body = textBody(record, options);
      if (body.includes('\u0000')) {
        headers['content-length'] = String(Buffer.byteLength(body));
        headers['amq-msg-type'] = 'text';
      }
      break;
    case 'BINARY':
      body = binaryBody(record, options);
      headers['content-length'] = String(body.length);
      break;
    case 'AVRO':
      body = avroBody(record, route, options);
      headers['content-length'] = String(body.length);
      break;
    case 'MAP':
      body = mapBody(record, route, options);
      headers['transformation'] = 'jms-map-json';
      break;
  }
  for (const [name, value] of route.staticHeaders) headers[name] = value;
  return { destination: route.destination, headers, body, skippedHeaders };
}

/** A Kafka header or key as the text of a string property (Stream Reactor: `value.toString`); null: none. */
export function propertyText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (value instanceof Date) return value.toISOString();
  if (isDecimal(value)) return value.toString();
  if (isStruct(value) || value instanceof Map || Array.isArray(value) || typeof value === 'object') {
    return toJsonText(toPlain(value));
  }
  return String(value);
}
