import {
  ConfigDef,
  ConfigException,
  defineSslKeys,
  secretValue,
  sslSettings,
  tlsOptions,
  validators,
  type ConfigValue,
  type KcqlSupport,
} from '@sluice/core/sink';
import type { SecureContextOptions } from 'node:tls';

// `connect.mongo.*`: the keys of Stream Reactor's MongoDB sink (spec/stream-reactor-sinks.md §2.1) with
// the same names and defaults, Kafka's `ssl.*` client keys for TLS (the kit's key group: JKS, PKCS12
// or PEM), and what Sluice adds (delete.on.null, uuid.fields, auth.source, max.in.flight). The kit adds
// kcql, error.policy, max.retries and retry.interval.

export const PREFIX = 'connect.mongo';
export const KCQL_KEY = `${PREFIX}.kcql`;
export const CONNECTION = `${PREFIX}.connection`;
export const DATABASE = `${PREFIX}.db`;
export const USERNAME = `${PREFIX}.username`;
export const PASSWORD = `${PREFIX}.password`;
export const AUTH_MECHANISM = `${PREFIX}.auth.mechanism`;
export const AUTH_SOURCE = `${PREFIX}.auth.source`;
export const JSON_DATETIME_FIELDS = `${PREFIX}.json_datetime_fields`;
export const UUID_FIELDS = `${PREFIX}.uuid.fields`;
export const DELETE_ON_NULL = `${PREFIX}.delete.on.null`;
export const MAX_IN_FLIGHT = `${PREFIX}.max.in.flight`;
export const SSL_ENDPOINT_IDENTIFICATION = 'ssl.endpoint.identification.algorithm';

/** Mechanisms the Node driver implements, by the names Stream Reactor's key accepts. */
export const AUTH_MECHANISMS = ['SCRAM-SHA-1', 'SCRAM-SHA-256', 'PLAIN', 'MONGODB-X509', 'GSSAPI'] as const;
export type AuthMechanism = (typeof AUTH_MECHANISMS)[number];

/** The KCQL this sink honours (spec §10 matrix, plus WITHSTRUCTURE, PROPERTIES and the projection's roots). */
export const KCQL_SUPPORT: KcqlSupport = {
  supported: [
    'INSERT',
    'UPSERT',
    'IGNORE',
    'PK',
    'BATCH',
    'AUTOCREATE',
    'WITHSTRUCTURE',
    'PROPERTIES',
    'SELECT _key',
    'SELECT _header',
    'SELECT _.topic/partition/offset/timestamp',
  ],
};

export const KCQL_DOC =
  'KCQL statements: `INSERT|UPSERT INTO <collection> SELECT <fields>|* FROM <topic> [IGNORE …] [PK …] [BATCH = n] ' +
  "[PROPERTIES('update.mode'='set')]`, separated by `;`.";

const uriOf = (v: ConfigValue | undefined): string =>
  v === null || v === undefined ? '' : typeof v === 'string' ? v : secretValue(v);

export const configDef: ConfigDef = defineSslKeys(
  new ConfigDef()
    .define({
      name: CONNECTION,
      type: 'PASSWORD',
      importance: 'HIGH',
      group: 'Connection',
      validator: (v) => {
        if (!/^mongodb(\+srv)?:\/\/\S+/.test(uriOf(v).trim()))
          throw new Error('must be a MongoDB URI: mongodb://host[:port][,host…][/db][?options]');
      },
      doc:
        'MongoDB connection URI, `mongodb://[user:pass@]host1[:port1][,host2…][/db][?options]` (or `mongodb+srv://`). ' +
        '`?tls=true` (or `ssl=true`) switches TLS on. Masked in REST output and logs because it may hold credentials.',
    })
    .define({
      name: DATABASE,
      type: 'STRING',
      importance: 'HIGH',
      group: 'Connection',
      validator: validators.nonEmptyString(),
      doc: 'Database the collections are written to; also the authentication database unless connect.mongo.auth.source is set.',
    })
    .define({
      name: USERNAME,
      type: 'STRING',
      default: '',
      importance: 'MEDIUM',
      group: 'Connection',
      doc: 'User to authenticate as; when empty, the credentials in the URI (if any) are used.',
    })
    .define({
      name: PASSWORD,
      type: 'PASSWORD',
      default: '',
      importance: 'MEDIUM',
      group: 'Connection',
      doc: 'Password of connect.mongo.username (not used by MONGODB-X509 and GSSAPI).',
    })
    .define({
      name: AUTH_MECHANISM,
      type: 'STRING',
      default: 'SCRAM-SHA-1',
      importance: 'MEDIUM',
      group: 'Connection',
      recommendedValues: [...AUTH_MECHANISMS],
      validator: (v) => {
        if (typeof v !== 'string') return;
        if (v.toUpperCase() === 'MONGODB-CR')
          throw new Error('MONGODB-CR was removed in MongoDB 4.0; use SCRAM-SHA-1 or SCRAM-SHA-256');
        validators.oneOf([...AUTH_MECHANISMS])(v, AUTH_MECHANISM);
      },
      doc: `Authentication mechanism used with connect.mongo.username: ${AUTH_MECHANISMS.join(', ')}.`,
    })
    .define({
      name: AUTH_SOURCE,
      type: 'STRING',
      default: '',
      importance: 'LOW',
      group: 'Connection',
      doc: 'Database the user is defined in (e.g. `admin`); empty means connect.mongo.db, as Stream Reactor does. `$external` is used for MONGODB-X509, PLAIN and GSSAPI when empty.',
    })
    .define({
      name: JSON_DATETIME_FIELDS,
      type: 'LIST',
      default: [],
      importance: 'MEDIUM',
      group: 'Mapping',
      doc:
        'Comma-separated (dotted) field paths whose values become BSON dates: ISO-8601 strings with an offset ' +
        '(`2024-01-02T03:04:05Z`) and integer epoch milliseconds. Paths go through sub-documents and arrays of sub-documents. ' +
        'Applies to every input format (Stream Reactor: JSON/Map only).',
    })
    .define({
      name: UUID_FIELDS,
      type: 'LIST',
      default: [],
      importance: 'LOW',
      group: 'Mapping',
      doc:
        'Comma-separated (dotted) field paths whose UUID strings (`8-4-4-4-12` hex digits) are stored as BSON UUIDs ' +
        '(binary subtype 4). Other values at these paths are left as they are; UUID-looking strings elsewhere stay strings.',
    })
    .define({
      name: DELETE_ON_NULL,
      type: 'BOOLEAN',
      default: false,
      importance: 'MEDIUM',
      group: 'Mapping',
      doc:
        'When true, a tombstone (null value) deletes the document whose `_id` its key gives (the UPSERT PK fields read from the key, ' +
        'or the whole key for a single PK). When false (Stream Reactor behaviour) a tombstone is a record error (DLQ / error policy).',
    })
    .define({
      name: MAX_IN_FLIGHT,
      type: 'INT',
      default: 4,
      importance: 'LOW',
      group: 'Mapping',
      validator: validators.atLeast(1),
      doc: 'Bulk writes in flight at once per task (batches that share no `_id`; those that do run one after another).',
    })
    .define({
      name: SSL_ENDPOINT_IDENTIFICATION,
      type: 'STRING',
      default: 'https',
      importance: 'LOW',
      group: 'TLS',
      doc: 'Set to an empty value to skip checking that the server certificate matches the host name (like Kafka clients).',
    }),
);

export interface MongoSinkConfig {
  readonly connection: string;
  readonly database: string;
  readonly username: string;
  readonly password: string;
  readonly authMechanism: AuthMechanism;
  readonly authSource: string;
  readonly jsonDatetimeFields: readonly string[][];
  readonly uuidFields: readonly string[][];
  readonly deleteOnNull: boolean;
  readonly maxInFlight: number;
  /** node's TLS options from the `ssl.*` stores (read and checked), when the URI switches TLS on. */
  readonly tls: (SecureContextOptions & { checkHostname: boolean }) | null;
}

const paths = (v: ConfigValue | undefined): string[][] =>
  (v as string[]).filter((p) => p.trim() !== '').map((p) => p.trim().split('.'));

/** The connector's settings from values parsed by `configDef`; cross-key errors name the key at fault. */
export function mongoSinkConfig(parsed: Record<string, ConfigValue>): MongoSinkConfig {
  const connection = secretValue(parsed[CONNECTION]).trim();
  const username = String(parsed[USERNAME] ?? '');
  const password = secretValue(parsed[PASSWORD]);
  const authMechanism = String(parsed[AUTH_MECHANISM]).toUpperCase() as AuthMechanism;
  const passwordless = authMechanism === 'MONGODB-X509' || authMechanism === 'GSSAPI';
  if (username !== '' && !passwordless && password === '') {
    throw new ConfigException(PASSWORD, `${authMechanism} needs ${PASSWORD} for user ${username}.`);
  }
  return {
    connection,
    database: String(parsed[DATABASE]),
    username,
    password,
    authMechanism,
    authSource: String(parsed[AUTH_SOURCE] ?? ''),
    jsonDatetimeFields: paths(parsed[JSON_DATETIME_FIELDS]),
    uuidFields: paths(parsed[UUID_FIELDS]),
    deleteOnNull: parsed[DELETE_ON_NULL] as boolean,
    maxInFlight: parsed[MAX_IN_FLIGHT] as number,
    tls: usesTls(connection)
      ? {
          ...tlsOptions(sslSettings(parsed)),
          checkHostname: String(parsed[SSL_ENDPOINT_IDENTIFICATION] ?? 'https').trim() !== '',
        }
      : null,
  };
}

/** As in Stream Reactor, TLS is switched on by the URI (`tls=true` / `ssl=true`, or mongodb+srv). */
export function usesTls(uri: string): boolean {
  if (uri.startsWith('mongodb+srv://')) return !/[?&](tls|ssl)=false/i.test(uri);
  return /[?&](tls|ssl)=true/i.test(uri);
}
