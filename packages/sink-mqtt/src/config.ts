import {
  ConfigDef,
  ConfigException,
  secretValue,
  validators,
  type ConfigValue,
  type KcqlSupport,
} from '@sluice/core/sink';

// `connect.mqtt.*`: the sink keys of Stream Reactor's MQTT connector (spec/stream-reactor-sinks.md §7.1)
// with the same names and defaults (the kit adds kcql, error.policy, max.retries, retry.interval), plus what Sluice adds (protocol version, in-flight window,
// tombstones clearing retained messages).

export const PREFIX = 'connect.mqtt';
export const KCQL_KEY = `${PREFIX}.kcql`;
export const HOSTS = `${PREFIX}.hosts`;
export const USERNAME = `${PREFIX}.username`;
export const PASSWORD = `${PREFIX}.password`;
export const CLIENT_ID = `${PREFIX}.client.id`;
export const QOS = `${PREFIX}.service.quality`;
export const RETAINED = `${PREFIX}.retained.messages`;
export const TIMEOUT = `${PREFIX}.timeout`;
export const CLEAN = `${PREFIX}.clean`;
export const KEEP_ALIVE = `${PREFIX}.keep.alive`;
export const SSL_CA_CERT = `${PREFIX}.ssl.ca.cert`;
export const SSL_CERT = `${PREFIX}.ssl.cert`;
export const SSL_KEY = `${PREFIX}.ssl.key`;
export const PROTOCOL_VERSION = `${PREFIX}.protocol.version`;
export const MAX_IN_FLIGHT = `${PREFIX}.max.in.flight`;
export const TOMBSTONE_CLEARS_RETAINED = `${PREFIX}.tombstone.clears.retained`;

/** KCQL property that makes the target a field path of the value (Stream Reactor ≥ 9). */
export const TARGET_FROM_FIELD = 'mqtt.target.from.field';

/** The KCQL this sink honours: both Stream Reactor generations (spec §7.2, §7.3) plus the shared projection's roots. */
export const KCQL_SUPPORT: KcqlSupport = {
  supported: [
    'INSERT',
    'IGNORE',
    'WITHSTRUCTURE',
    'WITHTARGET',
    'WITHCONVERTER',
    'PROPERTIES',
    'SELECT _key',
    'SELECT _header',
    'SELECT _.topic/partition/offset/timestamp',
  ],
};

export const PROTOCOL_VERSIONS = ['3.1.1', '5'] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

export const KCQL_DOC =
  'KCQL statements: `INSERT INTO <mqtt topic>|_key|_topic|<field> SELECT *|<fields> FROM <kafka topic> ' +
  "[IGNORE …] [WITHSTRUCTURE] [WITHTARGET = <field>] [PROPERTIES('mqtt.target.from.field'='true')]`, separated by `;`.";

export const configDef: ConfigDef = new ConfigDef()
  .define({
    name: HOSTS,
    type: 'STRING',
    importance: 'HIGH',
    group: 'Connection',
    validator: (v) => {
      if (typeof v === 'string') parseHosts(v);
    },
    doc:
      'Comma-separated broker URIs: `tcp://host:1883` or `ssl://host:8883` (also `mqtt://`, `mqtts://`, `tls://`, `ws://`, `wss://`). ' +
      'With several, the client connects to the first and fails over to the next on reconnect.',
  })
  .define({
    name: USERNAME,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'Connection',
    doc: 'User name sent in CONNECT; empty for none.',
  })
  .define({
    name: PASSWORD,
    type: 'PASSWORD',
    default: '',
    importance: 'MEDIUM',
    group: 'Connection',
    doc: 'Password sent in CONNECT with connect.mqtt.username.',
  })
  .define({
    name: CLIENT_ID,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'Connection',
    doc:
      'MQTT client id. With tasks.max > 1 each task uses `<id>-<n>` (n = 1…tasks.max) so that tasks do not take over ' +
      "each other's connection. Empty: `sluice-<connector>-<task>-<random>`, new at every start; set it when connect.mqtt.clean=false so that the session is resumed.",
  })
  .define({
    name: QOS,
    type: 'INT',
    importance: 'HIGH',
    group: 'Delivery',
    validator: (v) => {
      if (typeof v === 'number' && (v < 0 || v > 2))
        throw new Error('the MQTT quality of service must be 0, 1 or 2');
    },
    recommendedValues: ['0', '1', '2'],
    doc:
      'QoS of published messages. 0: at most once (a record counts as delivered once handed to the socket, which may still buffer up to 1 MiB). ' +
      "1: at least once (delivered when the broker's PUBACK arrives). 2: exactly once between the sink and the broker (PUBCOMP).",
  })
  .define({
    name: RETAINED,
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: 'Delivery',
    doc: 'Publish with the retained flag, so that the broker keeps the last message of each topic for new subscribers.',
  })
  .define({
    name: TIMEOUT,
    type: 'INT',
    default: 3000,
    importance: 'LOW',
    group: 'Connection',
    validator: validators.atLeast(1),
    doc:
      'Milliseconds to wait for the broker: for CONNACK on each connection attempt, and, while records wait to be published, ' +
      'for the connection to come back before the batch fails into connect.mqtt.error.policy.',
  })
  .define({
    name: CLEAN,
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    group: 'Connection',
    doc: 'Start a clean session (MQTT 5: clean start with no session expiry). false keeps the session across reconnects.',
  })
  .define({
    name: KEEP_ALIVE,
    type: 'INT',
    default: 5000,
    importance: 'LOW',
    group: 'Connection',
    validator: validators.atLeast(0),
    doc: 'Keep-alive interval in milliseconds (sent to the broker in whole seconds, rounded up); 0 turns keep-alive off.',
  })
  .define({
    name: SSL_CA_CERT,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'TLS',
    doc: 'PEM file of the CA certificate(s) that signed the broker certificate, for `ssl://` hosts.',
  })
  .define({
    name: SSL_CERT,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'TLS',
    doc: 'PEM file of the client certificate, for brokers that require mutual TLS (with connect.mqtt.ssl.key).',
  })
  .define({
    name: SSL_KEY,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'TLS',
    doc: 'PEM file of the private key of connect.mqtt.ssl.cert.',
  })
  .define({
    name: PROTOCOL_VERSION,
    type: 'STRING',
    default: '3.1.1',
    importance: 'LOW',
    group: 'Connection',
    validator: validators.oneOf([...PROTOCOL_VERSIONS]),
    recommendedValues: [...PROTOCOL_VERSIONS],
    doc:
      'MQTT protocol version: 3.1.1 (what Stream Reactor speaks) or 5. With 5, the in-flight window also respects ' +
      "the broker's Receive Maximum, and reason codes of refused publishes are reported.",
  })
  .define({
    name: MAX_IN_FLIGHT,
    type: 'INT',
    default: 100,
    importance: 'LOW',
    group: 'Delivery',
    validator: validators.between(1, 65535),
    doc: 'Publishes awaiting their acknowledgement (QoS 1/2) at once per task.',
  })
  .define({
    name: TOMBSTONE_CLEARS_RETAINED,
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: 'Delivery',
    doc:
      'When true, a tombstone (null value) publishes an empty retained message to its target topic, which clears the ' +
      'retained message there. When false, tombstones are skipped (logged at debug level).',
  });

export interface BrokerAddress {
  readonly protocol: 'mqtt' | 'mqtts' | 'ws' | 'wss';
  readonly host: string;
  readonly port: number;
  /** Path for WebSocket brokers (`ws://host/mqtt`). */
  readonly path: string;
}

export interface TlsFiles {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface MqttSinkConfig {
  readonly hosts: readonly BrokerAddress[];
  readonly username: string;
  readonly password: string;
  readonly clientId: string;
  readonly qos: 0 | 1 | 2;
  readonly retained: boolean;
  readonly timeoutMs: number;
  readonly clean: boolean;
  readonly keepAliveMs: number;
  readonly tls: TlsFiles;
  readonly protocolVersion: ProtocolVersion;
  readonly maxInFlight: number;
  readonly tombstoneClearsRetained: boolean;
}

const optional = (v: ConfigValue): string | undefined => {
  const text = String(v ?? '').trim();
  return text === '' ? undefined : text;
};

/** The connector's own settings from values parsed by `configDef`. */
export function mqttSinkConfig(parsed: Record<string, ConfigValue>): MqttSinkConfig {
  const tls: TlsFiles = {
    ca: optional(parsed[SSL_CA_CERT]!),
    cert: optional(parsed[SSL_CERT]!),
    key: optional(parsed[SSL_KEY]!),
  };
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new ConfigException(
      tls.cert === undefined ? SSL_CERT : SSL_KEY,
      `${SSL_CERT} and ${SSL_KEY} go together: set both for mutual TLS, or neither.`,
    );
  }
  return {
    hosts: parseHosts(String(parsed[HOSTS])),
    username: String(parsed[USERNAME] ?? ''),
    password: secretValue(parsed[PASSWORD]),
    clientId: String(parsed[CLIENT_ID] ?? '').trim(),
    qos: parsed[QOS] as 0 | 1 | 2,
    retained: parsed[RETAINED] as boolean,
    timeoutMs: parsed[TIMEOUT] as number,
    clean: parsed[CLEAN] as boolean,
    keepAliveMs: parsed[KEEP_ALIVE] as number,
    tls,
    protocolVersion: String(parsed[PROTOCOL_VERSION]) as ProtocolVersion,
    maxInFlight: parsed[MAX_IN_FLIGHT] as number,
    tombstoneClearsRetained: parsed[TOMBSTONE_CLEARS_RETAINED] as boolean,
  };
}

const SCHEMES: Record<string, BrokerAddress['protocol']> = {
  tcp: 'mqtt',
  mqtt: 'mqtt',
  ssl: 'mqtts',
  tls: 'mqtts',
  mqtts: 'mqtts',
  ws: 'ws',
  wss: 'wss',
};
const DEFAULT_PORTS: Record<BrokerAddress['protocol'], number> = {
  mqtt: 1883,
  mqtts: 8883,
  ws: 80,
  wss: 443,
};

/** `tcp://a:1883,ssl://b:8883` → broker addresses (the ConfigDef validator reports its errors against connect.mqtt.hosts). */
export function parseHosts(value: string): BrokerAddress[] {
  const entries = value
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  if (entries.length === 0) throw new Error('set at least one broker URI, e.g. tcp://host:1883');
  return entries.map((entry) => {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`'${entry}' is not a URI; write it as tcp://host:1883 or ssl://host:8883`);
    }
    const protocol = SCHEMES[url.protocol.replace(/:$/, '').toLowerCase()];
    if (!protocol || url.hostname === '') {
      throw new Error(
        `'${entry}': use tcp://, ssl://, mqtt://, mqtts://, tls://, ws:// or wss:// followed by a host`,
      );
    }
    return {
      protocol,
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? DEFAULT_PORTS[protocol] : Number(url.port),
      path: url.pathname === '' ? '/' : url.pathname,
    };
  });
}
