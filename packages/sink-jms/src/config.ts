import type { SecureContextOptions } from 'node:tls';
import {
  ConfigDef,
  ConfigException,
  defineSslKeys,
  secretValue,
  sslSettings,
  tlsOptions,
  validators,
  type ConfigValue,
} from '@sluice/core/sink';
import { parseStaticHeaders, type StaticHeaders } from './static-headers.js';
import { parseJmsUrl, type StompBroker } from './url.js';

// `connect.jms.*`: the keys of Stream Reactor's JMS connector (spec/stream-reactor-sinks.md §5.1, shared
// by its sink and source) with the same names and defaults, plus what STOMP needs (timeout, delivery
// mode, TLS). The JNDI keys are accepted so that a Stream Reactor config runs unchanged; JNDI has no
// meaning over STOMP, which start says once per key. The source-only keys are accepted and ignored.

export const PREFIX = 'connect.jms';
export const KCQL_KEY = `${PREFIX}.kcql`;
export const URL = `${PREFIX}.url`;
export const INITIAL_CONTEXT_FACTORY = `${PREFIX}.initial.context.factory`;
export const CONNECTION_FACTORY = `${PREFIX}.connection.factory`;
export const USERNAME = `${PREFIX}.username`;
export const PASSWORD = `${PREFIX}.password`;
export const EXTRA_PARAMS = `${PREFIX}.initial.context.extra.params`;
export const DESTINATION_SELECTOR = `${PREFIX}.destination.selector`;
export const HEADERS = `${PREFIX}.headers`;
export const SINK_DEFAULT_CONVERTER = `${PREFIX}.sink.default.converter`;
export const TIMEOUT = `${PREFIX}.timeout`;
export const PERSISTENT = `${PREFIX}.persistent`;
export const SSL_PREFIX = `${PREFIX}.ssl`;

const DEFAULT_CONNECTION_FACTORY = 'ConnectionFactory';
const JNDI_KEYS = [INITIAL_CONTEXT_FACTORY, CONNECTION_FACTORY, EXTRA_PARAMS, DESTINATION_SELECTOR];

const SOURCE_ONLY = 'Source connector only: accepted so that a shared config runs, and ignored by the sink.';

export const configDef: ConfigDef = defineSslKeys(
  new ConfigDef()
    .define({
      name: URL,
      type: 'STRING',
      importance: 'HIGH',
      group: 'Connection',
      validator: (v) => {
        if (typeof v === 'string') parseJmsUrl(v);
      },
      doc:
        'STOMP URL of the broker: `stomp://host:61613`, `stomp+ssl://host:61612`, or `failover:(stomp://a:61613,stomp://b:61613)` ' +
        "to try several in turn on each (re)connect. Java clients' URLs (`tcp://host:61616`, `failover:(tcp://…)`) are refused " +
        'with the STOMP URL to use.',
    })
    .define({
      name: INITIAL_CONTEXT_FACTORY,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'JNDI (no effect over STOMP)',
      doc: 'JNDI InitialContext factory class of the Java sink. Accepted so that Stream Reactor configs run unchanged; JNDI has no meaning over STOMP (logged once at start).',
    })
    .define({
      name: CONNECTION_FACTORY,
      type: 'STRING',
      default: DEFAULT_CONNECTION_FACTORY,
      importance: 'LOW',
      group: 'JNDI (no effect over STOMP)',
      doc: 'JNDI name of the ConnectionFactory in the Java sink. Accepted; no effect over STOMP (logged once at start when set).',
    })
    .define({
      name: EXTRA_PARAMS,
      type: 'LIST',
      default: [],
      importance: 'LOW',
      group: 'JNDI (no effect over STOMP)',
      doc: 'Extra JNDI properties (`KEY=VALUE`) of the Java sink. Accepted; no effect over STOMP (logged once at start when set).',
    })
    .define({
      name: DESTINATION_SELECTOR,
      type: 'STRING',
      default: 'CDI',
      importance: 'LOW',
      group: 'JNDI (no effect over STOMP)',
      validator: validators.oneOf(['CDI', 'JNDI']),
      recommendedValues: ['CDI', 'JNDI'],
      doc:
        'How the Java sink found destinations: CDI (by name) or JNDI (looked up). Over STOMP a destination is always named ' +
        '(`/queue/<name>`, `/topic/<name>`), as with CDI; JNDI is accepted and logged once at start.',
    })
    .define({
      name: USERNAME,
      type: 'STRING',
      default: '',
      importance: 'MEDIUM',
      group: 'Connection',
      doc: 'User name sent as the STOMP login; empty for none.',
    })
    .define({
      name: PASSWORD,
      type: 'PASSWORD',
      default: '',
      importance: 'MEDIUM',
      group: 'Connection',
      doc: 'Password sent as the STOMP passcode with connect.jms.username.',
    })
    .define({
      name: HEADERS,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'Messages',
      validator: (v) => {
        if (typeof v === 'string') parseStaticHeaders(v);
      },
      doc:
        'Fixed message properties per JMS destination: `dest1=K1:V1,K2:V2;dest2=K3:V3`. They override the Kafka headers of the ' +
        'same name. JMSType, JMSCorrelationID, JMSPriority, JMSExpiration, JMSReplyTo and JMSDeliveryMode set the JMS header fields.',
    })
    .define({
      name: SINK_DEFAULT_CONVERTER,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'Messages',
      validator: (v) => {
        if (typeof v === 'string' && v.trim() !== '') {
          throw new Error(
            'names a Java message converter class, which cannot run in Node; choose the message type with WITHFORMAT ' +
              '(JSON, TEXT, AVRO, BINARY or MAP) in connect.jms.kcql and leave this key empty',
          );
        }
      },
      doc: 'A Java sink message converter class in Stream Reactor. Must stay empty: the message type is chosen with WITHFORMAT.',
    })
    .define({
      name: `${PREFIX}.subscription.name`,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'Source only',
      doc: SOURCE_ONLY,
    })
    .define({
      name: `${PREFIX}.source.default.converter`,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'Source only',
      doc: SOURCE_ONLY,
    })
    .define({
      name: `${PREFIX}.converter.throw.on.error`,
      type: 'BOOLEAN',
      default: false,
      importance: 'LOW',
      group: 'Source only',
      doc: SOURCE_ONLY,
    })
    .define({
      name: `${PREFIX}.batch.size`,
      type: 'INT',
      default: 100,
      importance: 'LOW',
      group: 'Source only',
      doc: SOURCE_ONLY,
    })
    .define({
      name: `${PREFIX}.polling.timeout`,
      type: 'LONG',
      default: 1000,
      importance: 'LOW',
      group: 'Source only',
      doc: SOURCE_ONLY,
    })
    .define({
      name: `${PREFIX}.evict.interval.minutes`,
      type: 'INT',
      default: 10,
      importance: 'LOW',
      group: 'Source only',
      doc: SOURCE_ONLY,
    })
    .define({
      name: `${PREFIX}.evict.threshold.minutes`,
      type: 'INT',
      default: 10,
      importance: 'LOW',
      group: 'Source only',
      doc: SOURCE_ONLY,
    })
    .define({
      name: `${PREFIX}.scale.type`,
      type: 'STRING',
      default: 'kcql',
      importance: 'LOW',
      group: 'Source only',
      doc: SOURCE_ONLY,
    })
    .define({
      name: TIMEOUT,
      type: 'INT',
      default: 10_000,
      importance: 'LOW',
      group: 'Connection',
      validator: validators.atLeast(1),
      doc:
        'Milliseconds to wait for the broker: to connect (each failover round, with back-off between attempts) and for the ' +
        'receipt of a transaction COMMIT. Past it the batch fails into connect.jms.error.policy.',
    })
    .define({
      name: PERSISTENT,
      type: 'BOOLEAN',
      default: true,
      importance: 'LOW',
      group: 'Messages',
      doc:
        'Send messages as PERSISTENT (the JMS default delivery mode, which the Java sink used). false sends them NON_PERSISTENT, ' +
        'which a broker may lose on restart.',
    }),
  SSL_PREFIX,
);

export interface JmsSettings {
  readonly brokers: readonly StompBroker[];
  readonly username: string;
  readonly password: string;
  readonly timeoutMs: number;
  readonly persistent: boolean;
  readonly staticHeaders: StaticHeaders;
  /** TLS options for `stomp+ssl://` brokers, from the connect.jms.ssl.* stores; undefined: the system CAs. */
  readonly tls: SecureContextOptions | undefined;
  /** The JNDI keys set in the config: each is logged once at start as having no effect. */
  readonly jndiKeys: readonly string[];
}

/** The connector's own settings from values parsed by `configDef`. */
export function jmsSettings(
  parsed: Record<string, ConfigValue>,
  props: Readonly<Record<string, string>> = {},
): JmsSettings {
  const username = String(parsed[USERNAME] ?? '').trim();
  const password = secretValue(parsed[PASSWORD] ?? null);
  if (username === '' && password !== '') {
    throw new ConfigException(USERNAME, `${PASSWORD} is set without ${USERNAME}; set both, or neither.`);
  }
  // Each JNDI key the config sets (whatever its value: the documented example sets the default
  // ConnectionFactory) gets its INFO line.
  const jndiKeys = JNDI_KEYS.filter((key) => (props[key] ?? '').trim() !== '');
  return {
    brokers: parseJmsUrl(String(parsed[URL])),
    username,
    password,
    timeoutMs: parsed[TIMEOUT] as number,
    persistent: parsed[PERSISTENT] as boolean,
    staticHeaders: parseStaticHeaders(String(parsed[HEADERS] ?? '')),
    tls: tlsFrom(parsed),
    jndiKeys,
  };
}

function tlsFrom(parsed: Record<string, ConfigValue>): SecureContextOptions | undefined {
  const ssl = sslSettings(parsed, SSL_PREFIX);
  return ssl.trustStore || ssl.keyStore ? tlsOptions(ssl) : undefined;
}

/** The one INFO line start writes for each JNDI key that is set. */
export function jndiNotice(key: string): string {
  return (
    `${key} is set: JNDI has no meaning over STOMP and the key has no effect. Sluice connects to connect.jms.url and ` +
    'names destinations /queue/<name> or /topic/<name> from the KCQL target and WITHTYPE.'
  );
}
