// `connect.jms.url` → the STOMP brokers to connect to. Stream Reactor's JMS sink takes the JNDI
// provider URL of a Java client (`tcp://host:61616`, `failover:(…)`); Node has no JMS client, so
// Sluice speaks STOMP to the brokers that offer it (ActiveMQ Classic, Artemis). A Java URL is refused
// with the STOMP URL to use instead, so that a migrating user knows what to write.

export interface StompBroker {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** As the user wrote it, for logs and errors. */
  readonly url: string;
}

const STOMP_SCHEMES: Record<string, boolean> = {
  stomp: false,
  'stomp+nio': false,
  'stomp+ssl': true,
  'stomp+nio+ssl': true,
  'stomp+tls': true,
  stomps: true,
};

/** ActiveMQ's default ports: OpenWire 61616 → STOMP 61613, OpenWire over TLS 61617 → STOMP over TLS 61612. */
const STOMP_PORT = 61613;
const STOMP_TLS_PORT = 61612;
const JAVA_SCHEMES: Record<string, boolean> = {
  tcp: false,
  nio: false,
  auto: false,
  'auto+nio': false,
  amqp: false,
  mqtt: false,
  ws: false,
  ssl: true,
  'nio+ssl': true,
  'auto+ssl': true,
  'amqp+ssl': true,
  wss: true,
};

/**
 * Parses `stomp://host:61613`, `stomp+ssl://host:61612`, or `failover:(stomp://a:61613,stomp://b:61613)`
 * (the parentheses and a trailing `?options` part are optional; options are not used). Throws an
 * Error whose message says what to write instead.
 */
export function parseJmsUrl(value: string): StompBroker[] {
  const text = value.trim();
  if (text === '') throw new Error('set the STOMP URL of the broker, e.g. stomp://localhost:61613');
  const failover = /^failover:/i.test(text);
  const list = failover ? stripFailover(text) : text;
  const entries = list
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0)
    throw new Error(`'${text}' names no broker; write failover:(stomp://host:61613,…)`);
  if (!failover && entries.length > 1) {
    throw new Error(`'${text}' lists several brokers; write them as failover:(${entries.join(',')})`);
  }
  const brokers = entries.map(parseOne);
  const java = brokers.filter((b): b is JavaUrl => 'java' in b);
  if (java.length > 0) {
    const stomp = brokers.map((b) => ('java' in b ? b.suggestion : b.url));
    const suggestion = failover ? `failover:(${stomp.join(',')})` : stomp[0]!;
    throw new Error(
      `'${text}' is a Java (${java.map((j) => j.java).join(', ')}) URL; Sluice has no JMS client and speaks STOMP to the broker. ` +
        `Use its STOMP connector instead, e.g. ${suggestion} (ActiveMQ and Artemis listen for STOMP on 61613 by default).`,
    );
  }
  return brokers as StompBroker[];
}

interface JavaUrl {
  readonly java: string;
  readonly suggestion: string;
}

function stripFailover(text: string): string {
  let rest = text.replace(/^failover:/i, '').trim();
  if (rest.startsWith('(')) {
    const close = rest.indexOf(')');
    if (close < 0) throw new Error(`'${text}' opens a parenthesis it does not close`);
    rest = rest.slice(1, close);
  } else {
    rest = rest.replace(/\?.*$/, '');
  }
  return rest;
}

function parseOne(entry: string): StompBroker | JavaUrl {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(entry);
  if (!match) throw new Error(`'${entry}' is not a URL; write it as stomp://host:61613`);
  const scheme = match[1]!.toLowerCase();
  const { host, port } = hostPort(match[2]!, entry);
  if (scheme in STOMP_SCHEMES) {
    const tls = STOMP_SCHEMES[scheme]!;
    return { host, port: port ?? (tls ? STOMP_TLS_PORT : STOMP_PORT), tls, url: entry };
  }
  if (scheme in JAVA_SCHEMES) {
    const tls = JAVA_SCHEMES[scheme]!;
    const stompPort =
      port === 61616 || port === undefined ? STOMP_PORT : port === 61617 ? STOMP_TLS_PORT : null;
    const suggestion = `${tls ? 'stomp+ssl' : 'stomp'}://${host}:${stompPort ?? (tls ? STOMP_TLS_PORT : STOMP_PORT)}`;
    return { java: scheme, suggestion };
  }
  throw new Error(`'${entry}' has the scheme ${scheme}://; use stomp:// or stomp+ssl://`);
}

function hostPort(authority: string, entry: string): { host: string; port: number | undefined } {
  const at = authority.lastIndexOf('@');
  const hp = at >= 0 ? authority.slice(at + 1) : authority;
  const m = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(hp);
  const host = m?.[1]?.replace(/^\[(.*)\]$/, '$1') ?? '';
  if (!m || host === '') throw new Error(`'${entry}' has no host; write it as stomp://host:61613`);
  const portText = m[2];
  if (portText === undefined || portText === '') return { host, port: undefined };
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`'${entry}' has the port ${portText}, which is not a TCP port`);
  return { host, port };
}
