// `connect.jms.headers`: fixed message properties per JMS destination, as Stream Reactor writes them
// (`dest1=K1:V1,K2:V2;dest2=K3:V3`), and how a JMS property or header name becomes a STOMP header.

/** Destination name → property name → value. */
export type StaticHeaders = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function parseStaticHeaders(text: string): StaticHeaders {
  const out = new Map<string, Map<string, string>>();
  for (const part of text.split(';')) {
    const group = part.trim();
    if (group === '') continue;
    const eq = group.indexOf('=');
    if (eq <= 0) {
      throw new Error(
        `'${group}' is not <destination>=<name>:<value>,…; write e.g. orders=JMSType:Order,origin:kafka`,
      );
    }
    const destination = group.slice(0, eq).trim();
    const properties = out.get(destination) ?? new Map<string, string>();
    for (const pair of group.slice(eq + 1).split(',')) {
      const p = pair.trim();
      if (p === '') continue;
      const colon = p.indexOf(':');
      if (colon <= 0) throw new Error(`'${p}' (for ${destination}) is not <name>:<value>`);
      properties.set(p.slice(0, colon).trim(), p.slice(colon + 1).trim());
    }
    out.set(destination, properties);
  }
  return out;
}

/**
 * JMS header fields that ActiveMQ and Artemis set from STOMP frame headers. Setting these names as
 * properties on an ActiveMQ message sets the header fields too, which is what Stream Reactor's static
 * headers did; over STOMP the frame header does it.
 */
const JMS_HEADER_FIELDS: Readonly<Record<string, string>> = {
  JMSType: 'type',
  JMSCorrelationID: 'correlation-id',
  JMSPriority: 'priority',
  JMSExpiration: 'expires',
  JMSReplyTo: 'reply-to',
  JMSXGroupID: 'JMSXGroupID',
};

/**
 * Frame headers that mean something to STOMP or to the broker: a Kafka header with one of these names
 * cannot travel as a property, since it would change the frame (its destination, its body type…).
 */
export const RESERVED_STOMP_HEADERS: ReadonlySet<string> = new Set([
  'destination',
  'content-length',
  'content-type',
  'transaction',
  'receipt',
  'persistent',
  'expires',
  'priority',
  'type',
  'correlation-id',
  'reply-to',
  'message-id',
  'transformation',
  'amq-msg-type',
  'JMSXGroupID',
  'JMSXGroupSeq',
  'JMSDeliveryMode',
]);

/** The STOMP header for a static property name: a JMS header field's frame header, or the name itself. */
export function stompHeaderFor(name: string): string {
  return JMS_HEADER_FIELDS[name] ?? name;
}

/** `JMSDeliveryMode: PERSISTENT|NON_PERSISTENT|2|1` → the `persistent` frame header's value. */
export function persistentHeader(value: string): string {
  return /^(persistent|2|true)$/i.test(value.trim()) ? 'true' : 'false';
}
