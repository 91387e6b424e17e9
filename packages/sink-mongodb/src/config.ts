import {
  ConfigDef,
  ConfigException,
  defineStreamReactorKeys,
  secretValue,
  validators,
  type ConfigValue,
  type KcqlClause,
} from '@sluice/core/sink';

// `connect.mongo.*`: the keys of Stream Reactor's MongoDB sink (spec/stream-reactor-sinks.md §2.1) with
// the same names and defaults, Kafka's `ssl.*` client keys for TLS, and what Sluice adds
// (delete.on.null, auth.source, max.in.flight).

export const PREFIX = 'connect.mongo';
export const KCQL_KEY = `${PREFIX}.kcql`;
export const CONNECTION = `${PREFIX}.connection`;
export const DATABASE = `${PREFIX}.db`;
export const USERNAME = `${PREFIX}.username`;
export const PASSWORD = `${PREFIX}.password`;
export const AUTH_MECHANISM = `${PREFIX}.auth.mechanism`;
export const AUTH_SOURCE = `${PREFIX}.auth.source`;
export const JSON_DATETIME_FIELDS = `${PREFIX}.json_datetime_fields`;
export const DELETE_ON_NULL = `${PREFIX}.delete.on.null`;
export const MAX_IN_FLIGHT = `${PREFIX}.max.in.flight`;

export const SSL_TRUSTSTORE_LOCATION = 'ssl.truststore.location';
export const SSL_TRUSTSTORE_PASSWORD = 'ssl.truststore.password';
export const SSL_TRUSTSTORE_TYPE = 'ssl.truststore.type';
export const SSL_KEYSTORE_LOCATION = 'ssl.keystore.location';
export const SSL_KEYSTORE_PASSWORD = 'ssl.keystore.password';
export const SSL_KEYSTORE_TYPE = 'ssl.keystore.type';
export const SSL_KEY_PASSWORD = 'ssl.key.password';
export const SSL_ENDPOINT_IDENTIFICATION = 'ssl.endpoint.identification.algorithm';

/** Mechanisms the Node driver implements, by the names Stream Reactor's key accepts. */
export const AUTH_MECHANISMS = ['SCRAM-SHA-1', 'SCRAM-SHA-256', 'PLAIN', 'MONGODB-X509', 'GSSAPI'] as const;
export type AuthMechanism = (typeof AUTH_MECHANISMS)[number];

/** The KCQL this sink honours (spec §10 matrix, plus WITHSTRUCTURE and `_key`/header/metadata fields of the shared projection). */
export const SUPPORTED_KCQL: readonly KcqlClause[] = [
  'INSERT',
  'UPSERT',
  'IGNORE',
  'PK',
  'BATCH',
  'AUTOCREATE',
  'WITHSTRUCTURE',
  'SELECT _key',
  'SELECT _header',
  'SELECT _.topic/partition/offset/timestamp',
];

const STORE_TYPES = ['JKS', 'PKCS12', 'PEM'];

export const configDef: ConfigDef = defineStreamReactorKeys(
  new ConfigDef(),
  PREFIX,
  'KCQL statements: `INSERT|UPSERT INTO <collection> SELECT <fields>|* FROM <topic> [IGNORE …] [PK …] [BATCH = n]`, separated by `;`.',
)
  .define({
    name: CONNECTION,
    type: 'PASSWORD',
    importance: 'HIGH',
    group: 'Connection',
    validator: (v) => {
      const uri = v === null ? '' : typeof v === 'string' ? v : (v as { value(): string }).value();
      if (!/^mongodb(\+srv)?:\/\/\S+/.test(uri.trim()))
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
    doc: 'Bulk writes in flight at once per task (batches of different collections, or of the same collection when no `_id` repeats).',
  })
  .define({
    name: SSL_TRUSTSTORE_LOCATION,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'TLS',
    doc: 'PEM file of the CA certificates to trust (with ssl.truststore.type=PEM); used when the URI enables TLS.',
  })
  .define({
    name: SSL_TRUSTSTORE_PASSWORD,
    type: 'PASSWORD',
    default: '',
    importance: 'LOW',
    group: 'TLS',
    doc: 'Accepted for Stream Reactor configs; a PEM trust store has no password.',
  })
  .define({
    name: SSL_TRUSTSTORE_TYPE,
    type: 'STRING',
    default: 'JKS',
    importance: 'LOW',
    group: 'TLS',
    validator: validators.oneOf(STORE_TYPES),
    recommendedValues: ['PEM'],
    doc: "PEM. JKS (Kafka's default) and PKCS12 trust stores are Java formats Node cannot use as a CA list: export the certificates to PEM.",
  })
  .define({
    name: SSL_KEYSTORE_LOCATION,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'TLS',
    doc: 'Client certificate and key for mutual TLS / MONGODB-X509: PEM file (certificate + key) or PKCS12.',
  })
  .define({
    name: SSL_KEYSTORE_PASSWORD,
    type: 'PASSWORD',
    default: '',
    importance: 'MEDIUM',
    group: 'TLS',
    doc: 'Password of a PKCS12 key store.',
  })
  .define({
    name: SSL_KEYSTORE_TYPE,
    type: 'STRING',
    default: 'JKS',
    importance: 'LOW',
    group: 'TLS',
    validator: validators.oneOf(STORE_TYPES),
    recommendedValues: ['PEM', 'PKCS12'],
    doc: 'PEM or PKCS12 (JKS must be converted, see ssl.truststore.type).',
  })
  .define({
    name: SSL_KEY_PASSWORD,
    type: 'PASSWORD',
    default: '',
    importance: 'LOW',
    group: 'TLS',
    doc: 'Password of an encrypted private key in a PEM key store.',
  })
  .define({
    name: SSL_ENDPOINT_IDENTIFICATION,
    type: 'STRING',
    default: 'https',
    importance: 'LOW',
    group: 'TLS',
    doc: 'Set to an empty value to skip checking that the server certificate matches the host name (like Kafka clients).',
  });

export interface TlsFiles {
  readonly trustStore?: { path: string; type: 'PEM' | 'PKCS12'; password?: string };
  readonly keyStore?: { path: string; type: 'PEM' | 'PKCS12'; password?: string };
  readonly keyPassword?: string;
  readonly checkHostname: boolean;
}

export interface MongoSinkConfig {
  readonly connection: string;
  readonly database: string;
  readonly username: string;
  readonly password: string;
  readonly authMechanism: AuthMechanism;
  readonly authSource: string;
  readonly jsonDatetimeFields: readonly string[][];
  readonly deleteOnNull: boolean;
  readonly maxInFlight: number;
  readonly tls: TlsFiles;
}

/** The connector's own settings from values parsed by `configDef`. */
export function mongoSinkConfig(parsed: Record<string, ConfigValue>): MongoSinkConfig {
  return {
    connection: secretValue(parsed[CONNECTION]).trim(),
    database: String(parsed[DATABASE]),
    username: String(parsed[USERNAME] ?? ''),
    password: secretValue(parsed[PASSWORD]),
    authMechanism: String(parsed[AUTH_MECHANISM]).toUpperCase() as AuthMechanism,
    authSource: String(parsed[AUTH_SOURCE] ?? ''),
    jsonDatetimeFields: (parsed[JSON_DATETIME_FIELDS] as string[])
      .filter((p) => p !== '')
      .map((p) => p.split('.')),
    deleteOnNull: parsed[DELETE_ON_NULL] as boolean,
    maxInFlight: parsed[MAX_IN_FLIGHT] as number,
    tls: {
      trustStore: store(parsed, SSL_TRUSTSTORE_LOCATION, SSL_TRUSTSTORE_TYPE, SSL_TRUSTSTORE_PASSWORD),
      keyStore: store(parsed, SSL_KEYSTORE_LOCATION, SSL_KEYSTORE_TYPE, SSL_KEYSTORE_PASSWORD),
      keyPassword: secretValue(parsed[SSL_KEY_PASSWORD]) || undefined,
      checkHostname: String(parsed[SSL_ENDPOINT_IDENTIFICATION] ?? 'https').trim() !== '',
    },
  };
}

function store(
  parsed: Record<string, ConfigValue>,
  locationKey: string,
  typeKey: string,
  passwordKey: string,
) {
  const path = String(parsed[locationKey] ?? '').trim();
  if (path === '') return undefined;
  const type = String(parsed[typeKey]).toUpperCase();
  if (type === 'JKS') {
    throw new ConfigException(
      typeKey,
      `${locationKey} is a JKS store, a Java format Node.js cannot read. Convert it (keytool -importkeystore -srcstoretype JKS -deststoretype PKCS12) and set ${typeKey}=PKCS12, or export PEM and set ${typeKey}=PEM.`,
    );
  }
  return {
    path,
    type: type as 'PEM' | 'PKCS12',
    password: secretValue(parsed[passwordKey]) || undefined,
  };
}
