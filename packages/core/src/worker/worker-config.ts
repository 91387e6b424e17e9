import { ConfigDef, validators, type ConfigValue } from '../config/def.js';
import { ConfigException } from '../errors.js';
import { ConfigProviders } from '../config/providers.js';
import { hostname } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import { OVERRIDE_POLICIES, type OverridePolicy } from '../kafka/client-config.js';
import { kafkaTlsOptions } from '../kafka/kafkajs/config.js';

// Kafka Connect's worker configuration keys (WorkerConfig), shared by standalone and distributed
// mode. Unknown keys are kept: Kafka client settings (security, SSL/SASL, `consumer.`/`producer.`/
// `admin.` prefixes) pass through to the clients, as in Kafka Connect.

export const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';
export const SIMPLE_HEADER_CONVERTER = 'org.apache.kafka.connect.storage.SimpleHeaderConverter';

export const workerConfigDef = new ConfigDef()
  .define({
    name: 'bootstrap.servers',
    type: 'LIST',
    default: ['localhost:9092'],
    importance: 'HIGH',
    doc: 'Kafka brokers to connect to (host:port, comma-separated).',
  })
  .define({
    name: 'key.converter',
    type: 'CLASS',
    default: JSON_CONVERTER,
    importance: 'HIGH',
    doc: 'Converter for record keys; `key.converter.*` settings are passed to it.',
  })
  .define({
    name: 'value.converter',
    type: 'CLASS',
    default: JSON_CONVERTER,
    importance: 'HIGH',
    doc: 'Converter for record values; `value.converter.*` settings are passed to it.',
  })
  .define({
    name: 'header.converter',
    type: 'CLASS',
    default: SIMPLE_HEADER_CONVERTER,
    importance: 'LOW',
    doc: 'Converter for header values; `header.converter.*` settings are passed to it.',
  })
  .define({
    name: 'offset.flush.interval.ms',
    type: 'LONG',
    default: 60000,
    importance: 'LOW',
    doc: 'How often sink offsets are committed (after the task flushed them).',
    validator: validators.atLeast(1),
  })
  .define({
    name: 'sluice.consumer.thread',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    doc:
      "Each sink task's Kafka consumer fetches and decodes records on a thread of its own, so that " +
      'fetching overlaps with converting and put (Sluice-specific; false keeps everything on one thread).',
  })
  .define({
    name: 'offset.flush.timeout.ms',
    type: 'LONG',
    default: 5000,
    importance: 'LOW',
    doc: 'How long a flush + commit may take before it is abandoned and counted as a failure.',
    validator: validators.atLeast(1),
  })
  .define({
    name: 'task.shutdown.graceful.timeout.ms',
    type: 'LONG',
    default: 5000,
    importance: 'LOW',
    doc: 'Time allowed for tasks to flush, commit and close when stopping.',
    validator: validators.atLeast(0),
  })
  .define({
    name: 'listeners',
    type: 'LIST',
    default: ['http://:8083'],
    importance: 'LOW',
    doc: 'REST listeners, `http://host:port`. An empty host binds every interface; `[]` (empty) disables REST.',
  })
  .define({
    name: 'rest.advertised.host.name',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    doc: 'Host name other workers and the status `worker_id` use for this worker.',
  })
  .define({
    name: 'rest.advertised.port',
    type: 'INT',
    default: null,
    importance: 'LOW',
    doc: 'Port advertised with the host name.',
  })
  .define({
    name: 'rest.advertised.listener',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    doc: 'Scheme of the listener to advertise (`http` or `https`).',
  })
  .define({
    name: 'rest.basic.auth.user',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    doc: 'When set, every REST request needs HTTP basic auth with this user and `rest.basic.auth.password`.',
  })
  .define({
    name: 'rest.basic.auth.password',
    type: 'PASSWORD',
    default: null,
    importance: 'MEDIUM',
    doc: 'Password for `rest.basic.auth.user`.',
  })
  .define({
    name: 'plugin.path',
    type: 'LIST',
    default: [],
    importance: 'LOW',
    doc: 'Directories holding sink packages (each a package folder, or a node_modules-style folder of them).',
  })
  .define({
    name: 'client.id',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    doc: 'Prefix of the Kafka client ids; defaults to `connect-<worker id>`.',
  })
  .define({
    name: 'group.id',
    type: 'STRING',
    default: null,
    importance: 'HIGH',
    doc: 'Distributed mode: the cluster this worker joins. Sink connector groups may not use it.',
  })
  .define({
    name: 'offset.storage.file.filename',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    doc: 'Accepted for compatibility; sink offsets live in Kafka consumer groups (`connect-<connector>`), not in this file.',
  })
  .define({
    name: 'topic.tracking.enable',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    doc: 'Track the topics each connector uses (`/connectors/{name}/topics`).',
  })
  .define({
    name: 'topic.tracking.allow.reset',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    doc: 'Allow `PUT /connectors/{name}/topics/reset`.',
  })
  .define({
    name: 'connector.client.config.override.policy',
    type: 'STRING',
    default: 'All',
    importance: 'MEDIUM',
    validator: validators.oneOf([...OVERRIDE_POLICIES]),
    doc:
      'Which `consumer.override.*`, `producer.override.*` and `admin.override.*` keys a connector may set: ' +
      'None, Principal (security.protocol, sasl.mechanism, sasl.jaas.config) or All.',
  })
  .define({
    name: 'rest.request.timeout.ms',
    type: 'LONG',
    default: 90000,
    importance: 'LOW',
    doc: 'REST requests that take longer fail with 500 "Request timed out".',
    validator: validators.atLeast(1),
  });

// Top-level keys that are Kafka client settings: given to every client the worker creates.
const CLIENT_KEY =
  /^(security\.protocol|ssl\.|sasl\.|request\.timeout\.ms|retry\.backoff\.ms|reconnect\.backoff|connections\.max\.idle\.ms|metadata\.max\.age\.ms|socket\.)/;
const CLIENT_PREFIXES = ['consumer.', 'producer.', 'admin.'];

export interface ListenerAddress {
  protocol: 'http' | 'https';
  /** Empty = every interface, as Kafka Connect's `http://:8083`. */
  host: string;
  port: number;
}

/** Worker settings, parsed and typed. `props` keeps everything the file said (for clients, converters). */
export class WorkerConfig {
  readonly bootstrapServers: string[];
  readonly offsetFlushIntervalMs: number;
  readonly offsetFlushTimeoutMs: number;
  readonly consumerThread: boolean;
  readonly gracefulShutdownTimeoutMs: number;
  readonly listeners: ListenerAddress[];
  readonly pluginPath: string[];
  readonly groupId: string | null;
  readonly topicTrackingEnable: boolean;
  readonly topicTrackingAllowReset: boolean;
  readonly restRequestTimeoutMs: number;
  readonly basicAuth: { user: string; password: string } | null;
  /** The config providers the worker declares (`config.providers`), for connector configs at use. */
  readonly configProviders: ConfigProviders;
  readonly overridePolicy: OverridePolicy;
  /** The worker's settings with config provider placeholders resolved (log `rawProps`, never these). */
  readonly props: Record<string, string>;
  private readonly parsed: Record<string, ConfigValue>;

  constructor(readonly rawProps: Record<string, string>) {
    this.configProviders = ConfigProviders.fromWorkerProps(rawProps);
    const props = this.configProviders.resolve(rawProps);
    this.props = props;
    this.parsed = workerConfigDef.parse(props);
    const p = this.parsed;
    this.bootstrapServers = p['bootstrap.servers'] as string[];
    this.offsetFlushIntervalMs = p['offset.flush.interval.ms'] as number;
    this.offsetFlushTimeoutMs = p['offset.flush.timeout.ms'] as number;
    this.consumerThread = p['sluice.consumer.thread'] as boolean;
    this.gracefulShutdownTimeoutMs = p['task.shutdown.graceful.timeout.ms'] as number;
    this.listeners = (p['listeners'] as string[]).map(parseListener);
    this.pluginPath = p['plugin.path'] as string[];
    this.groupId = (p['group.id'] as string | null) || null;
    this.topicTrackingEnable = p['topic.tracking.enable'] as boolean;
    this.topicTrackingAllowReset = p['topic.tracking.allow.reset'] as boolean;
    this.restRequestTimeoutMs = p['rest.request.timeout.ms'] as number;
    this.overridePolicy = p['connector.client.config.override.policy'] as OverridePolicy;
    const user = p['rest.basic.auth.user'] as string | null;
    const password = props['rest.basic.auth.password'];
    if (user && password === undefined) {
      throw new ConfigException('rest.basic.auth.password', 'must be set when rest.basic.auth.user is set');
    }
    this.basicAuth = user ? { user, password: password! } : null;
  }

  get keyConverterClass(): string {
    return this.parsed['key.converter'] as string;
  }
  get valueConverterClass(): string {
    return this.parsed['value.converter'] as string;
  }
  get headerConverterClass(): string {
    return this.parsed['header.converter'] as string;
  }

  /**
   * TLS for `https://` REST listeners: Kafka's `listeners.https.ssl.*` keys (the server's key store, and
   * a trust store with `listeners.https.ssl.client.auth=required` for client certificates), else the
   * worker's own `ssl.*` keys, as Kafka Connect falls back. Null when no listener is https.
   */
  restTls(): ConnectionOptions | null {
    if (!this.listeners.some((l) => l.protocol === 'https')) return null;
    const prefix = this.restSslPrefix();
    if (!this.props[`${prefix}.keystore.location`] && !this.props[`${prefix}.keystore.certificate.chain`]) {
      throw new ConfigException(
        'listeners.https.ssl.keystore.location',
        'an https listener needs the server certificate and key: set listeners.https.ssl.keystore.location ' +
          '(JKS, PKCS12 or PEM) with its password',
      );
    }
    const tls = kafkaTlsOptions(this.props, prefix);
    const clientAuth = (this.props[`${prefix}.client.auth`] ?? 'none').trim().toLowerCase();
    if (!['none', 'requested', 'required'].includes(clientAuth)) {
      throw new ConfigException(
        `${prefix}.client.auth`,
        `'${clientAuth}' is not one of none, requested, required`,
      );
    }
    return { ...tls, requestCert: clientAuth !== 'none', rejectUnauthorized: clientAuth === 'required' };
  }

  /**
   * TLS for this worker's requests to other workers' `https://` REST URLs (forwarding to the leader), as
   * Kafka Connect's REST client: the same keys as the listener, so the trust store verifies the other
   * workers' certificates and the key store is the client certificate a `client.auth=required` listener
   * asks for. Null when the worker has neither an https listener nor `listeners.https.ssl.*` keys.
   */
  restClientTls(): ConnectionOptions | null {
    const https = this.listeners.some((l) => l.protocol === 'https');
    if (!https && !this.hasOwnRestSslKeys()) return null;
    return kafkaTlsOptions(this.props, this.restSslPrefix());
  }

  /** Kafka takes `listeners.https.ssl.*` all or nothing: any such key means the `ssl.*` keys are not used. */
  private restSslPrefix(): string {
    return this.hasOwnRestSslKeys() ? 'listeners.https.ssl' : 'ssl';
  }

  private hasOwnRestSslKeys(): boolean {
    return Object.keys(this.props).some((k) => k.startsWith('listeners.https.ssl.'));
  }

  /** `<prefix>.*` settings with the prefix removed, e.g. `value.converter.` → `{schemas.enable: 'false'}`. */
  withPrefix(prefix: string): Record<string, string> {
    return stripPrefix(this.props, prefix);
  }

  /**
   * `host:port` shown as `worker_id` in statuses and advertised to other workers. Without
   * `rest.advertised.host.name`, a listener bound to every interface advertises the machine's host
   * name, as Kafka Connect does, so that workers on different machines get different ids and URLs.
   */
  workerId(boundPort?: number): string {
    const listener = this.listeners[0];
    const bound = listener && !isWildcardHost(listener.host) ? listener.host : null;
    const host = (this.parsed['rest.advertised.host.name'] as string | null) || bound || hostname();
    const port =
      (this.parsed['rest.advertised.port'] as number | null) ?? boundPort ?? listener?.port ?? 8083;
    return `${host}:${port}`;
  }

  /** URL other workers use to reach this one's REST API. */
  advertisedUrl(boundPort?: number): string {
    const scheme =
      (this.parsed['rest.advertised.listener'] as string | null) || this.listeners[0]?.protocol || 'http';
    return `${scheme}://${this.workerId(boundPort)}`;
  }

  clientIdPrefix(boundPort?: number): string {
    return (this.parsed['client.id'] as string) || `connect-${this.workerId(boundPort)}`;
  }

  /**
   * The worker's Kafka client settings: top-level security and client keys plus its `consumer.`,
   * `producer.` and `admin.` keys (prefix kept, so the engine knows which client each is for).
   * A connector's `<client>.override.*` keys are applied by the engine on top of these.
   */
  clientConfig(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.props)) {
      if (CLIENT_KEY.test(k) || CLIENT_PREFIXES.some((p) => k.startsWith(p))) out[k] = v;
    }
    return out;
  }
}

/** A listener host that binds every interface (empty, `0.0.0.0`, `::`): not an address to advertise. */
export function isWildcardHost(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** An address only this machine reaches (`localhost`, 127.0.0.0/8, `::1`). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    /^127\./.test(h) ||
    h === '::1' ||
    h === '0:0:0:0:0:0:0:1'
  );
}

export function stripPrefix(props: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

export function parseListener(listener: string): ListenerAddress {
  const m = /^(https?):\/\/(\[[^\]]*\]|[^:/]*):(\d+)\/?$/i.exec(listener.trim());
  if (!m) {
    throw new ConfigException(
      'listeners',
      `'${listener}' is not a listener URL; expected e.g. http://:8083 or http://127.0.0.1:8083`,
    );
  }
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigException('listeners', `port ${port} of '${listener}' is out of range`);
  return { protocol: m[1]!.toLowerCase() as 'http' | 'https', host: m[2]!.replace(/^\[|\]$/g, ''), port };
}
