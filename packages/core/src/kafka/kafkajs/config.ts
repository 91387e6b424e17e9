import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { ConsumerConfig, KafkaConfig, ProducerConfig, SASLOptions } from 'kafkajs';
import { ConfigException } from '../../errors.js';
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
  if (protocol === 'SSL' || protocol === 'SASL_SSL') config.ssl = tlsOptions(props);
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') config.sasl = saslOptions(props);
  const requestTimeout = intProp(props, 'request.timeout.ms');
  if (requestTimeout !== undefined) config.requestTimeout = requestTimeout;
  const connectionTimeout = intProp(props, 'socket.connection.setup.timeout.ms');
  if (connectionTimeout !== undefined) config.connectionTimeout = connectionTimeout;
  const backoff = intProp(props, 'retry.backoff.ms');
  if (backoff !== undefined) config.retry = { initialRetryTime: backoff };
  return config;
}

function tlsOptions(props: Record<string, string>): ConnectionOptions {
  const tls: ConnectionOptions = {};
  const trustType = (props['ssl.truststore.type'] ?? 'PEM').toUpperCase();
  if (props['ssl.truststore.certificates']) tls.ca = props['ssl.truststore.certificates'];
  else if (props['ssl.truststore.location']) {
    if (trustType !== 'PEM') {
      throw new ConfigException(
        'ssl.truststore.type',
        `${trustType} trust stores are Java-only; convert it to PEM and set ssl.truststore.type=PEM`,
      );
    }
    tls.ca = readFileSync(props['ssl.truststore.location'], 'utf8');
  }
  const keyType = (props['ssl.keystore.type'] ?? 'PEM').toUpperCase();
  const keyPassword = props['ssl.key.password'] ?? props['ssl.keystore.password'];
  if (props['ssl.keystore.certificate.chain'] && props['ssl.keystore.key']) {
    tls.cert = props['ssl.keystore.certificate.chain'];
    tls.key = props['ssl.keystore.key'];
  } else if (props['ssl.keystore.location']) {
    const location = props['ssl.keystore.location'];
    if (keyType === 'PKCS12') tls.pfx = readFileSync(location);
    else if (keyType === 'PEM') {
      // A PEM key store holds the private key and the certificate chain in one file.
      const pem = readFileSync(location, 'utf8');
      tls.key = pem;
      tls.cert = pem;
    } else {
      throw new ConfigException(
        'ssl.keystore.type',
        `${keyType} key stores are Java-only; use PKCS12 or PEM`,
      );
    }
  }
  if (keyPassword !== undefined) tls.passphrase = keyPassword;
  // Kafka's "" disables host name verification.
  if (props['ssl.endpoint.identification.algorithm'] === '') tls.checkServerIdentity = () => undefined;
  return tls;
}

function saslOptions(props: Record<string, string>): SASLOptions {
  const mechanism = (props['sasl.mechanism'] ?? 'GSSAPI').trim().toUpperCase();
  const jaas = props['sasl.jaas.config'];
  if (!jaas) throw new ConfigException('sasl.jaas.config', `required for sasl.mechanism=${mechanism}`);
  const { options } = parseJaasConfig(jaas);
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
  const config: ConsumerConfig = { groupId, allowAutoTopicCreation: autoCreate };
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
