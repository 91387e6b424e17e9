import type { ConnectionOptions } from 'node:tls';
import { ConfigDef, Password, validators } from '../../config/def.js';
import { ConfigException } from '../../errors.js';
import { defineSslKeys, sslSettings, tlsOptions } from '../../sink-kit/key-files.js';
import { AVRO_DATA_CONFIG_DEF } from './avro-data-config.js';
import { subjectNameStrategy, type SubjectNameStrategy } from './subject-name-strategy.js';

/** The registry and serializer settings of AvroConverter (Confluent's key names and defaults). */
export interface AvroConverterSettings {
  urls: string[];
  /** `user:password`, only with `basic.auth.credentials.source=USER_INFO`. Secret. */
  userInfo: string | undefined;
  autoRegisterSchemas: boolean;
  useLatestVersion: boolean;
  normalizeSchemas: boolean;
  subjectNameStrategy: SubjectNameStrategy;
  registryCacheCapacity: number;
  latestCacheTtlMs: number;
  requestTimeoutMs: number;
  /** TLS of `https://` registries (`schema.registry.ssl.*`); null: the system's CAs, no client certificate. */
  tls: ConnectionOptions | null;
}

const STRATEGY_DEFAULT = 'io.confluent.kafka.serializers.subject.TopicNameStrategy';
// Confluent's serializers take the registry's TLS as Kafka's ssl.* keys under this prefix.
const SSL_PREFIX = 'schema.registry.ssl';
const ENDPOINT_IDENTIFICATION = `${SSL_PREFIX}.endpoint.identification.algorithm`;

export const AVRO_CONVERTER_CONFIG_DEF: ConfigDef = new ConfigDef()
  .define({
    name: 'schema.registry.url',
    type: 'LIST',
    importance: 'HIGH',
    doc: 'Comma-separated schema registry URLs (with any path prefix, e.g. Apicurio http://host:8081/apis/ccompat/v7).',
    validator: (v) => {
      if (Array.isArray(v) && v.length === 0) throw new Error('At least one URL is required');
    },
  })
  .define({
    name: 'basic.auth.credentials.source',
    type: 'STRING',
    default: 'URL',
    importance: 'MEDIUM',
    doc: 'Where HTTP basic auth credentials come from: URL (user-info in schema.registry.url) or USER_INFO (basic.auth.user.info).',
    validator: validators.oneOf(['URL', 'USER_INFO']),
    recommendedValues: ['URL', 'USER_INFO'],
  })
  .define({
    name: 'basic.auth.user.info',
    type: 'PASSWORD',
    default: null,
    importance: 'MEDIUM',
    doc: 'user:password for HTTP basic auth when basic.auth.credentials.source=USER_INFO.',
  })
  .define({
    name: 'auto.register.schemas',
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    doc: 'Register the schema of written data under its subject when it is not registered yet.',
  })
  .define({
    name: 'use.latest.version',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    doc: "Write with the subject's latest schema instead of registering one; read with it as the reader schema.",
  })
  .define({
    name: 'normalize.schemas',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    doc: 'Ask the registry to normalize schemas when registering and looking them up.',
  })
  .define({
    name: 'key.subject.name.strategy',
    type: 'CLASS',
    default: STRATEGY_DEFAULT,
    importance: 'MEDIUM',
    doc: 'Subject naming of key schemas: TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy.',
  })
  .define({
    name: 'value.subject.name.strategy',
    type: 'CLASS',
    default: STRATEGY_DEFAULT,
    importance: 'MEDIUM',
    doc: 'Subject naming of value schemas: TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy.',
  })
  .define({
    name: 'max.schemas.per.subject',
    type: 'INT',
    default: 1000,
    importance: 'LOW',
    doc: 'Registry answers (ids, registrations, versions) kept in memory.',
    validator: validators.atLeast(1),
  })
  .define({
    name: 'latest.cache.ttl.sec',
    type: 'LONG',
    default: -1,
    importance: 'LOW',
    doc: "How long the subject's latest schema is reused, in seconds; -1 keeps it for the life of the converter.",
  })
  .define({
    name: 'http.read.timeout.ms',
    type: 'INT',
    default: 60000,
    importance: 'LOW',
    doc: 'Timeout of one schema registry request, in milliseconds.',
    validator: validators.atLeast(1),
  })
  .merge(AVRO_DATA_CONFIG_DEF);
defineSslKeys(AVRO_CONVERTER_CONFIG_DEF, SSL_PREFIX, 'Schema registry TLS').define({
  name: ENDPOINT_IDENTIFICATION,
  type: 'STRING',
  default: 'https',
  importance: 'LOW',
  group: 'Schema registry TLS',
  doc: "Host name verification of the registry's certificate: https (the default) or empty to skip it (the chain is still verified).",
  validator: validators.oneOf(['https', '']),
});

export function parseAvroConverterSettings(
  props: Record<string, string>,
  isKey: boolean,
): AvroConverterSettings {
  const c = AVRO_CONVERTER_CONFIG_DEF.parse(props);
  const source = String(c['basic.auth.credentials.source']).toUpperCase();
  const secret = c['basic.auth.user.info'];
  const userInfo = secret instanceof Password ? secret.value() : undefined;
  if (source === 'USER_INFO' && !userInfo) {
    throw new ConfigException(
      'basic.auth.user.info',
      'basic.auth.credentials.source=USER_INFO needs basic.auth.user.info=<user>:<password>',
    );
  }
  const strategyKey = isKey ? 'key.subject.name.strategy' : 'value.subject.name.strategy';
  const ttl = c['latest.cache.ttl.sec'] as number;
  return {
    urls: c['schema.registry.url'] as string[],
    userInfo: source === 'USER_INFO' ? userInfo : undefined,
    autoRegisterSchemas: c['auto.register.schemas'] as boolean,
    useLatestVersion: c['use.latest.version'] as boolean,
    normalizeSchemas: c['normalize.schemas'] as boolean,
    subjectNameStrategy: subjectNameStrategy(strategyKey, c[strategyKey] as string),
    registryCacheCapacity: c['max.schemas.per.subject'] as number,
    latestCacheTtlMs: ttl < 0 ? -1 : ttl * 1000,
    requestTimeoutMs: c['http.read.timeout.ms'] as number,
    tls: registryTls(props, c),
  };
}

/** Node TLS options of the `schema.registry.ssl.*` keys, or null when none is set. */
function registryTls(props: Record<string, string>, c: Record<string, unknown>): ConnectionOptions | null {
  if (!Object.keys(props).some((k) => k.startsWith(`${SSL_PREFIX}.`))) return null;
  const tls: ConnectionOptions = tlsOptions(sslSettings(c as Parameters<typeof sslSettings>[0], SSL_PREFIX));
  if (c[ENDPOINT_IDENTIFICATION] === '') tls.checkServerIdentity = () => undefined;
  return tls;
}
