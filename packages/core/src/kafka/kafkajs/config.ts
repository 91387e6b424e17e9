import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { ConsumerConfig, KafkaConfig, ProducerConfig, SASLOptions } from 'kafkajs';
import { ConfigException } from '../../errors.js';
import {
  sslKeyNames,
  STORE_TYPES,
  tlsOptions as storeTlsOptions,
  type SslSettings,
  type StoreFile,
  type StoreType,
} from '../../sink-kit/key-files.js';
import { intProp, parseJaasConfig } from '../client-config.js';

// Kafka's client properties → kafkajs options. Keys kafkajs has no equivalent for are ignored
// (kafkajs has its own defaults for them); keys whose meaning would silently change are rejected.

export function toKafkaJsConfig(props: Record<string, string>, clientId: string): KafkaConfig {
  const brokers = (props['bootstrap.servers'] ?? 'localhost:9092')
    .split(',')
    .map((s) => s.trim().replace(/^[A-Za-z_]+:\/\//, ''))
    .filter((s) => s !== '');
  if (brokers.length === 0) throw new ConfigException('bootstrap.servers', 'no broker address given');
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').trim().toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw new ConfigException(
      'security.protocol',
      `unknown protocol '${protocol}'; use PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL`,
    );
  }
  const config: KafkaConfig = { brokers, clientId };
  if (protocol === 'SSL' || protocol === 'SASL_SSL') config.ssl = kafkaTlsOptions(props);
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') config.sasl = saslOptions(props);
  const requestTimeout = intProp(props, 'request.timeout.ms');
  if (requestTimeout !== undefined) config.requestTimeout = requestTimeout;
  const connectionTimeout = intProp(props, 'socket.connection.setup.timeout.ms');
  if (connectionTimeout !== undefined) config.connectionTimeout = connectionTimeout;
  const backoff = intProp(props, 'retry.backoff.ms');
  if (backoff !== undefined) config.retry = { initialRetryTime: backoff };
  return config;
}

/**
 * Kafka's `ssl.*` client keys → node TLS options, through the one store reader (sink-kit/key-files):
 * trust and key stores as JKS (Kafka's default type), PKCS12 or PEM, or inline PEM in
 * `ssl.truststore.certificates` / `ssl.keystore.certificate.chain` + `ssl.keystore.key`.
 */
export function kafkaTlsOptions(props: Record<string, string>, prefix = 'ssl'): ConnectionOptions {
  const keys = sslKeyNames(prefix);
  const inline = {
    trust: `${prefix}.truststore.certificates`,
    chain: `${prefix}.keystore.certificate.chain`,
    key: `${prefix}.keystore.key`,
  };
  const store = (location: string, password: string, type: string): StoreFile | null => {
    const file = props[location]?.trim() ?? '';
    if (file === '') return null;
    const storeType = (props[type]?.trim() || defaultStoreType(file)).toUpperCase() as StoreType;
    if (!STORE_TYPES.includes(storeType)) {
      throw new ConfigException(type, `'${storeType}' is not a store type; use JKS, PKCS12 or PEM`);
    }
    const secret = props[password] ?? '';
    if (storeType !== 'PEM' && secret === '') {
      throw new ConfigException(password, `${location} is a ${storeType} store, which needs its password.`);
    }
    return { path: file, type: storeType, password: secret };
  };
  const settings: SslSettings = {
    trustStore: props[inline.trust]
      ? null
      : store(keys.truststoreLocation, keys.truststorePassword, keys.truststoreType),
    keyStore:
      props[inline.chain] && props[inline.key]
        ? null
        : store(keys.keystoreLocation, keys.keystorePassword, keys.keystoreType),
    keyPassword: props[keys.keyPassword] ?? '',
    keys,
  };
  const tls: ConnectionOptions = { ...storeTlsOptions(settings) };
  if (props[inline.trust]) tls.ca = props[inline.trust];
  if (props[inline.chain] && props[inline.key]) {
    tls.cert = props[inline.chain];
    tls.key = props[inline.key];
    if (settings.keyPassword !== '') tls.passphrase = settings.keyPassword;
  }
  // Kafka's "" disables host name verification (the certificate chain is still verified).
  const identification = props[`${prefix}.endpoint.identification.algorithm`];
  if (identification !== undefined && identification.trim() === '') tls.checkServerIdentity = () => undefined;
  else if (identification !== undefined && identification.trim().toLowerCase() !== 'https') {
    throw new ConfigException(
      `${prefix}.endpoint.identification.algorithm`,
      `'${identification}' is not supported; use https (the default) or an empty value`,
    );
  }
  return tls;
}

// Kafka's default store type is JKS; a PEM file given without its type is taken for what it is, since
// Sluice's earlier releases defaulted to PEM.
function defaultStoreType(file: string): StoreType {
  try {
    return readFileSync(file, 'utf8').trimStart().startsWith('-----BEGIN') ? 'PEM' : 'JKS';
  } catch {
    return 'JKS'; // the reader reports the unreadable file, naming its key
  }
}

function saslOptions(props: Record<string, string>): SASLOptions {
  const mechanism = (props['sasl.mechanism'] ?? 'GSSAPI').trim().toUpperCase();
  if (mechanism === 'OAUTHBEARER') {
    // Supporting it needs a token source (sasl.login.callback.handler.class and
    // sasl.oauthbearer.token.endpoint.url: a client-credentials call, refreshed before expiry).
    throw new ConfigException(
      'sasl.mechanism',
      'OAUTHBEARER is not supported yet; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (or mTLS with security.protocol=SSL)',
    );
  }
  const jaas = props['sasl.jaas.config'];
  if (!jaas) throw new ConfigException('sasl.jaas.config', `required for sasl.mechanism=${mechanism}`);
  const { loginModule, options } = parseJaasConfig(jaas);
  // Kafka pairs each mechanism with its login module; a mix-up is refused here rather than by the broker.
  const expected =
    mechanism === 'PLAIN' ? 'PlainLoginModule' : mechanism.startsWith('SCRAM-') ? 'ScramLoginModule' : null;
  if (expected && loginModule.startsWith('org.apache.kafka.') && !loginModule.endsWith(`.${expected}`)) {
    throw new ConfigException(
      'sasl.jaas.config',
      `sasl.mechanism=${mechanism} takes Kafka's ${expected}, not ${loginModule} (value not shown: it holds credentials)`,
    );
  }
  const username = options['username'];
  const password = options['password'];
  if (username === undefined || password === undefined) {
    throw new ConfigException(
      'sasl.jaas.config',
      'the login module options must set username="…" and password="…"',
    );
  }
  switch (mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
    default:
      throw new ConfigException(
        'sasl.mechanism',
        `'${mechanism}' is not supported; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`,
      );
  }
}

export interface ConsumerTuning {
  config: ConsumerConfig;
  /** `auto.offset.reset`: where a group without a committed offset starts. */
  fromBeginning: boolean;
}

export function toKafkaJsConsumerConfig(props: Record<string, string>, groupId: string): ConsumerTuning {
  // Like the Java consumer's `allow.auto.create.topics` (default true): a connector started before its
  // topic exists gets it created when the broker allows it, instead of failing at start.
  const autoCreate = (props['allow.auto.create.topics'] ?? 'true').trim().toLowerCase() !== 'false';
  // `fetch.max.wait.ms` defaults to the Java consumer's 500 ms, not kafkajs' 5 s: kafkajs finishes the
  // fetch in flight before it stops or rejoins, so its default made every task stop and every rebalance
  // of an idle consumer wait up to 5 s. With data waiting the broker answers at once either way.
  const config: ConsumerConfig = { groupId, allowAutoTopicCreation: autoCreate, maxWaitTimeInMs: 500 };
  const set = <K extends keyof ConsumerConfig>(key: K, prop: string) => {
    const v = intProp(props, prop);
    if (v !== undefined) (config[key] as number) = v;
  };
  set('sessionTimeout', 'session.timeout.ms');
  set('heartbeatInterval', 'heartbeat.interval.ms');
  set('rebalanceTimeout', 'max.poll.interval.ms');
  set('maxBytes', 'fetch.max.bytes');
  set('maxBytesPerPartition', 'max.partition.fetch.bytes');
  set('minBytes', 'fetch.min.bytes');
  set('maxWaitTimeInMs', 'fetch.max.wait.ms');
  set('metadataMaxAge', 'metadata.max.age.ms');
  // The Java consumer's default, which Kafka Connect's sink consumers keep: records of open and aborted
  // transactions are delivered too (kafkajs' own default is read_committed).
  const isolation = (props['isolation.level'] ?? 'read_uncommitted').trim();
  if (isolation !== 'read_uncommitted' && isolation !== 'read_committed') {
    throw new ConfigException(
      'isolation.level',
      `'${isolation}' is not supported; use read_uncommitted or read_committed`,
    );
  }
  config.readUncommitted = isolation === 'read_uncommitted';
  if (props['client.rack']) config.rackId = props['client.rack'];
  const reset = (props['auto.offset.reset'] ?? 'earliest').trim();
  if (reset !== 'earliest' && reset !== 'latest') {
    throw new ConfigException('auto.offset.reset', `'${reset}' is not supported; use earliest or latest`);
  }
  return { config, fromBeginning: reset === 'earliest' };
}

export interface ProducerTuning {
  config: ProducerConfig;
  acks: number;
}

export function toKafkaJsProducerConfig(props: Record<string, string>): ProducerTuning {
  const config: ProducerConfig = { allowAutoTopicCreation: false };
  const inflight = intProp(props, 'max.in.flight.requests.per.connection');
  if (inflight !== undefined) config.maxInFlightRequests = inflight;
  if (props['enable.idempotence']?.trim() === 'true') config.idempotent = true;
  const acksRaw = (props['acks'] ?? 'all').trim();
  const acks = acksRaw === 'all' ? -1 : Number(acksRaw);
  if (![-1, 0, 1].includes(acks))
    throw new ConfigException('acks', `'${acksRaw}' is not one of all, -1, 0, 1`);
  return { config, acks };
}
