import { createSecureContext, type SecureContextOptions } from 'node:tls';
import {
  ConfigDef,
  ConfigException,
  readKeyFile,
  secretValue,
  sslKeyNames,
  tlsOptions,
  validators,
  type ConfigValue,
  type KcqlClause,
  type SslSettings,
  type StoreType,
} from '@sluice/core/sink';

// `connect.cassandra.*`: the keys of both Stream Reactor Cassandra sinks (spec/stream-reactor-sinks.md
// §4A legacy, §4B DataStax-driver generation) with their names and defaults. Where the two generations
// name one setting differently (`username` / `auth.username`, `trust.store.path` /
// `ssl.truststore.path`, `read.timeout.ms` / `query.timeout.ms`), both are accepted and the 4B key wins
// when both are given. Keys that only mean something to the Java driver are refused at validate with the
// reason (`refusedKeys`).

export const PREFIX = 'connect.cassandra';
export const KCQL_KEY = `${PREFIX}.kcql`;

const k = (suffix: string) => `${PREFIX}.${suffix}`;
export const KEYS = {
  contactPoints: k('contact.points'),
  port: k('port'),
  localDc: k('load.balancing.local.dc'),
  keySpace: k('key.space'),
  poolSize: k('connection.pool.size'),
  compression: k('compression'),
  queryTimeout: k('query.timeout.ms'),
  connectTimeout: k('connect.timeout.ms'),
  readTimeout: k('read.timeout.ms'),
  loadBalancingPolicy: k('load.balancing.policy'),
  fetchSize: k('fetch.size'),
  authProvider: k('auth.provider'),
  authUsername: k('auth.username'),
  authPassword: k('auth.password'),
  username: k('username'),
  password: k('password'),
  gssapiKeytab: k('auth.gssapi.keytab'),
  gssapiPrincipal: k('auth.gssapi.principal'),
  gssapiService: k('auth.gssapi.service'),
  sslEnabled: k('ssl.enabled'),
  sslProvider: k('ssl.provider'),
  truststorePath: k('ssl.truststore.path'),
  truststorePassword: k('ssl.truststore.password'),
  keystorePath: k('ssl.keystore.path'),
  keystorePassword: k('ssl.keystore.password'),
  cipherSuites: k('ssl.cipher.suites'),
  hostnameVerification: k('ssl.hostname.verification'),
  opensslCertChain: k('ssl.openssl.key.cert.chain'),
  opensslPrivateKey: k('ssl.openssl.private.key'),
  legacyTrustStorePath: k('trust.store.path'),
  legacyTrustStorePassword: k('trust.store.password'),
  legacyTrustStoreType: k('trust.store.type'),
  legacyKeyStorePath: k('key.store.path'),
  legacyKeyStorePassword: k('key.store.password'),
  legacyKeyStoreType: k('key.store.type'),
  clientCertAuth: k('ssl.client.cert.auth'),
  consistency: k('consistency.level'),
  maxConcurrent: k('max.concurrent.requests'),
  maxBatchSize: k('max.batch.size'),
  threadPoolSize: k('threadpool.size'),
  ignoreErrorsMode: k('ignore.errors.mode'),
  deleteEnabled: k('delete.enabled'),
  deleteStatement: k('delete.statement'),
  deleteStructFields: k('delete.struct_flds'),
  defaultValue: k('default.value'),
} as const;

/** The driver's consistency levels by Cassandra's names. */
export const CONSISTENCY_LEVELS = [
  'ANY',
  'ONE',
  'TWO',
  'THREE',
  'QUORUM',
  'ALL',
  'LOCAL_QUORUM',
  'EACH_QUORUM',
  'SERIAL',
  'LOCAL_SERIAL',
  'LOCAL_ONE',
] as const;
export type ConsistencyName = (typeof CONSISTENCY_LEVELS)[number];

export const IGNORE_ERRORS_MODES = ['none', 'all', 'driver'] as const;
export type IgnoreErrorsMode = (typeof IGNORE_ERRORS_MODES)[number];

/** The KCQL this sink honours (spec §10: legacy TTL and WITHSTRUCTURE; 4B `_key`/`_header` columns and PROPERTIES; AUTOCREATE with PK). */
export const SUPPORTED_KCQL: readonly KcqlClause[] = [
  'INSERT',
  'UPSERT',
  'PK',
  'TTL',
  'AUTOCREATE',
  'WITHSTRUCTURE',
  'PROPERTIES',
  'SELECT _key',
  'SELECT _header',
  'SELECT _.topic/partition/offset/timestamp',
];

const oneOfIgnoringCase =
  (values: readonly string[]) =>
  (v: unknown, name: string): void => {
    if (typeof v !== 'string') return;
    if (!values.some((x) => x.toLowerCase() === v.trim().toLowerCase()))
      throw new ConfigException(name, `must be one of ${values.join(', ')}, not '${v}'`);
  };

const orEmpty =
  (check: (v: unknown, name: string) => void) =>
  (v: unknown, name: string): void => {
    if (typeof v === 'string' && v.trim() === '') return;
    check(v, name);
  };

export const KCQL_DOC =
  'KCQL statements, separated by `;`: `INSERT INTO [<keyspace>.]<table> SELECT <field> [AS <column>], _key.<field> AS <column>, … | * FROM <topic> [TTL = <seconds>] [PROPERTIES(…)]`.';

/** The store's own keys; the kit adds connect.cassandra.kcql, error.policy, max.retries, retry.interval and connect.progress.enabled. */
export const configDef: ConfigDef = new ConfigDef()
  // Connection
  .define({
    name: KEYS.contactPoints,
    type: 'STRING',
    default: 'localhost',
    importance: 'HIGH',
    group: 'Connection',
    validator: validators.nonEmptyString(),
    doc: 'Comma-separated Cassandra hosts (`host` or `host:port`) the driver first contacts; it discovers the rest of the cluster.',
  })
  .define({
    name: KEYS.port,
    type: 'INT',
    default: 9042,
    importance: 'HIGH',
    group: 'Connection',
    validator: validators.atLeast(1),
    doc: 'CQL native protocol port, used for contact points given without a port.',
  })
  .define({
    name: KEYS.localDc,
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: 'Connection',
    doc: 'Local data centre: requests go to its nodes only. When empty, the data centre of the first contact point that answers is used.',
  })
  .define({
    name: KEYS.keySpace,
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: 'Connection',
    doc: 'Keyspace of KCQL targets written without one (`INSERT INTO orders …`, the legacy form). Targets `<keyspace>.<table>` name their own.',
  })
  .define({
    name: KEYS.poolSize,
    type: 'INT',
    default: 2,
    importance: 'LOW',
    group: 'Connection',
    validator: validators.atLeast(1),
    doc: 'Connections per node of the local data centre.',
  })
  .define({
    name: KEYS.compression,
    type: 'STRING',
    default: 'none',
    importance: 'LOW',
    group: 'Connection',
    validator: (v, name) => {
      if (typeof v === 'string' && v.trim().toLowerCase() !== 'none')
        throw new ConfigException(
          name,
          `'${v}' is not available: the Node.js Cassandra driver does not compress frames. Remove the key or set it to none.`,
        );
    },
    doc: 'Frame compression. Only `none`: the Node.js driver has no LZ4/Snappy support, so other values are refused.',
  })
  .define({
    name: KEYS.queryTimeout,
    type: 'INT',
    default: 20000,
    importance: 'MEDIUM',
    group: 'Connection',
    validator: validators.atLeast(1),
    doc: 'Milliseconds a write may take before the driver gives up on it (a transient error). Really milliseconds (Stream Reactor applied it as seconds).',
  })
  .define({
    name: KEYS.connectTimeout,
    type: 'INT',
    default: 5000,
    importance: 'LOW',
    group: 'Connection',
    validator: validators.atLeast(1),
    doc: 'Milliseconds to open a connection to a node.',
  })
  .define({
    name: KEYS.readTimeout,
    type: 'INT',
    default: 12000,
    importance: 'LOW',
    group: 'Connection',
    validator: validators.atLeast(1),
    doc: 'Legacy name of connect.cassandra.query.timeout.ms; used when only it is given.',
  })
  .define({
    name: KEYS.loadBalancingPolicy,
    type: 'STRING',
    default: 'TOKEN_AWARE',
    importance: 'LOW',
    group: 'Connection',
    recommendedValues: ['TOKEN_AWARE', 'ROUND_ROBIN', 'DC_AWARE_ROUND_ROBIN'],
    validator: (v, name) => {
      if (typeof v === 'string' && v.trim().toUpperCase() === 'LATENCY_AWARE')
        throw new ConfigException(
          name,
          'LATENCY_AWARE is not available: the Node.js Cassandra driver has no latency-aware policy. Use TOKEN_AWARE.',
        );
      oneOfIgnoringCase(['TOKEN_AWARE', 'ROUND_ROBIN', 'DC_AWARE_ROUND_ROBIN'])(v, name);
    },
    doc: 'Legacy: TOKEN_AWARE (requests go to a replica of the row, within the local data centre), DC_AWARE_ROUND_ROBIN or ROUND_ROBIN.',
  })
  .define({
    name: KEYS.fetchSize,
    type: 'INT',
    default: 5000,
    importance: 'LOW',
    group: 'Connection',
    doc: 'Legacy key for reading; a sink does not read, so it has no effect (accepted so legacy configs run).',
  })
  // Authentication
  .define({
    name: KEYS.authProvider,
    type: 'STRING',
    default: 'None',
    importance: 'MEDIUM',
    group: 'Authentication',
    recommendedValues: ['None', 'PLAIN'],
    validator: (v, name) => {
      if (typeof v === 'string' && v.trim().toUpperCase() === 'GSSAPI')
        throw new ConfigException(
          name,
          'GSSAPI (Kerberos) is not available in this sink: the Node.js driver needs a native Kerberos module for it. Use PLAIN.',
        );
      oneOfIgnoringCase(['None', 'PLAIN'])(v, name);
    },
    doc: 'None, or PLAIN (user name and password). PLAIN is implied when a user name is set. GSSAPI is refused (see Migrating).',
  })
  .define({
    name: KEYS.authUsername,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'Authentication',
    doc: 'User name for PLAIN authentication.',
  })
  .define({
    name: KEYS.authPassword,
    type: 'PASSWORD',
    default: '',
    importance: 'MEDIUM',
    group: 'Authentication',
    doc: 'Password for PLAIN authentication.',
  })
  .define({
    name: KEYS.username,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'Authentication',
    doc: 'Legacy name of connect.cassandra.auth.username.',
  })
  .define({
    name: KEYS.password,
    type: 'PASSWORD',
    default: '',
    importance: 'MEDIUM',
    group: 'Authentication',
    doc: 'Legacy name of connect.cassandra.auth.password.',
  })
  .define({
    name: KEYS.gssapiKeytab,
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: 'Authentication',
    validator: refusedUnlessEmpty('Kerberos (GSSAPI) is not available in this sink'),
    doc: 'GSSAPI only; refused when set (see auth.provider).',
  })
  .define({
    name: KEYS.gssapiPrincipal,
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: 'Authentication',
    validator: refusedUnlessEmpty('Kerberos (GSSAPI) is not available in this sink'),
    doc: 'GSSAPI only; refused when set (see auth.provider).',
  })
  .define({
    name: KEYS.gssapiService,
    type: 'STRING',
    default: 'dse',
    importance: 'LOW',
    group: 'Authentication',
    doc: 'GSSAPI only; accepted with its default so generated configs run, otherwise unused.',
  })
  // TLS
  .define({
    name: KEYS.sslEnabled,
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: 'TLS',
    doc: 'Connect with TLS. The trust store, key store and PEM keys below are used only when true.',
  })
  .define({
    name: KEYS.sslProvider,
    type: 'STRING',
    default: 'None',
    importance: 'LOW',
    group: 'TLS',
    validator: oneOfIgnoringCase(['None', 'JDK', 'OpenSSL']),
    doc: 'None, JDK or OpenSSL: accepted for Stream Reactor configs; Node.js always uses its own OpenSSL, and reads JKS, PKCS12 and PEM files alike.',
  })
  .define({
    name: KEYS.truststorePath,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'TLS',
    doc: 'Certificates to trust: a JKS or PKCS12 trust store, or a PEM file of CA certificates.',
  })
  .define({
    name: KEYS.truststorePassword,
    type: 'PASSWORD',
    default: '',
    importance: 'MEDIUM',
    group: 'TLS',
    doc: 'Password of the trust store (JKS / PKCS12).',
  })
  .define({
    name: KEYS.keystorePath,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'TLS',
    doc: 'Client certificate and key for mutual TLS: a JKS or PKCS12 key store.',
  })
  .define({
    name: KEYS.keystorePassword,
    type: 'PASSWORD',
    default: '',
    importance: 'MEDIUM',
    group: 'TLS',
    doc: 'Password of the key store and of the key in it.',
  })
  .define({
    name: KEYS.cipherSuites,
    type: 'LIST',
    default: [],
    importance: 'LOW',
    group: 'TLS',
    doc: "Cipher suites to offer, by OpenSSL's names (Node.js cannot take Java's `TLS_…` names); empty means Node's defaults.",
  })
  .define({
    name: KEYS.hostnameVerification,
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    group: 'TLS',
    doc: 'Check that the server certificate names the host connected to.',
  })
  .define({
    name: KEYS.opensslCertChain,
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: 'TLS',
    doc: 'Client certificate chain, PEM file (instead of a key store).',
  })
  .define({
    name: KEYS.opensslPrivateKey,
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: 'TLS',
    doc: 'Private key of ssl.openssl.key.cert.chain, PEM file.',
  })
  .define({
    name: KEYS.legacyTrustStorePath,
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: 'TLS',
    doc: 'Legacy name of connect.cassandra.ssl.truststore.path.',
  })
  .define({
    name: KEYS.legacyTrustStorePassword,
    type: 'PASSWORD',
    default: '',
    importance: 'LOW',
    group: 'TLS',
    doc: 'Legacy name of connect.cassandra.ssl.truststore.password.',
  })
  .define({
    name: KEYS.legacyTrustStoreType,
    type: 'STRING',
    default: 'JKS',
    importance: 'LOW',
    group: 'TLS',
    validator: oneOfIgnoringCase(['JKS', 'PKCS12', 'PEM']),
    doc: 'JKS, PKCS12 or PEM: the format of the trust store (the 4B keys tell it from the file).',
  })
  .define({
    name: KEYS.legacyKeyStorePath,
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: 'TLS',
    doc: 'Legacy name of connect.cassandra.ssl.keystore.path.',
  })
  .define({
    name: KEYS.legacyKeyStorePassword,
    type: 'PASSWORD',
    default: '',
    importance: 'LOW',
    group: 'TLS',
    doc: 'Legacy name of connect.cassandra.ssl.keystore.password.',
  })
  .define({
    name: KEYS.legacyKeyStoreType,
    type: 'STRING',
    default: 'JKS',
    importance: 'LOW',
    group: 'TLS',
    validator: oneOfIgnoringCase(['JKS', 'PKCS12']),
    doc: 'JKS or PKCS12: the format of the key store.',
  })
  .define({
    name: KEYS.clientCertAuth,
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    group: 'TLS',
    doc: 'Legacy; a key store, when given, is always offered to the server (as Stream Reactor does).',
  })
  // Writes
  .define({
    name: KEYS.consistency,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'Writes',
    recommendedValues: [...CONSISTENCY_LEVELS],
    validator: orEmpty(oneOfIgnoringCase(CONSISTENCY_LEVELS)),
    doc: 'Consistency level of the writes (ONE, QUORUM, LOCAL_QUORUM, …); empty means LOCAL_ONE. A table can set its own with PROPERTIES(`consistencyLevel`=…).',
  })
  .define({
    name: KEYS.maxConcurrent,
    type: 'INT',
    default: 100,
    importance: 'MEDIUM',
    group: 'Writes',
    validator: validators.atLeast(1),
    doc: 'Statements (single rows or partition batches) in flight at once per task.',
  })
  .define({
    name: KEYS.maxBatchSize,
    type: 'INT',
    default: 64,
    importance: 'MEDIUM',
    group: 'Writes',
    validator: validators.atLeast(1),
    doc: 'Rows of one partition key sent in one unlogged batch at most; 1 sends every row alone.',
  })
  .define({
    name: KEYS.threadPoolSize,
    type: 'INT',
    default: 0,
    importance: 'LOW',
    group: 'Writes',
    doc: 'Legacy: when set above 0 and max.concurrent.requests is not given, the number of writes in flight.',
  })
  .define({
    name: KEYS.ignoreErrorsMode,
    type: 'STRING',
    default: 'none',
    importance: 'MEDIUM',
    group: 'Writes',
    validator: oneOfIgnoringCase(IGNORE_ERRORS_MODES),
    doc:
      'Records that can never be written: `none` hands them to errors.tolerance (dead letter queue, or the task fails); ' +
      '`driver` logs and skips those Cassandra refused; `all` logs and skips every one, unconvertible values included. ' +
      'Store outages always go through the error policy.',
  })
  .define({
    name: KEYS.deleteEnabled,
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: 'Writes',
    doc:
      'Legacy. true with connect.cassandra.delete.statement: a tombstone runs that statement. Explicitly false: tombstones delete nothing, in every table. ' +
      'Not set: a tombstone deletes the row whose whole primary key the `_key.` / `_header.` columns of the KCQL give (per table: PROPERTIES(`deletesEnabled`)).',
  })
  .define({
    name: KEYS.deleteStatement,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'Writes',
    doc: 'Legacy: the CQL run for a tombstone, with `?` markers bound from connect.cassandra.delete.struct_flds, e.g. `DELETE FROM orders WHERE id = ? AND product = ?`.',
  })
  .define({
    name: KEYS.deleteStructFields,
    type: 'LIST',
    default: [],
    importance: 'MEDIUM',
    group: 'Writes',
    doc: 'Legacy: key fields (dotted paths) bound in order to the delete statement; empty binds the whole key (a primitive key).',
  })
  .define({
    name: KEYS.defaultValue,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'Writes',
    validator: orEmpty(oneOfIgnoringCase(['UNSET', 'NULL'])),
    doc:
      'Legacy: NULL writes null fields as nulls (tombstones in Cassandra). Empty or UNSET leaves them unset: the column keeps its value and no tombstone is written. ' +
      'A table can choose with PROPERTIES(`nullToUnset`=…).',
  });

function refusedUnlessEmpty(why: string) {
  return (v: unknown, name: string): void => {
    if (typeof v === 'string' && v.trim() !== '') throw new ConfigException(name, `${why}; remove ${name}.`);
  };
}

/**
 * Keys present in `props` that no setting here takes and that Stream Reactor passed to the Java
 * driver (`connect.cassandra.driver.*`): refused, naming each, because silently dropping driver
 * settings would leave the user believing they apply.
 */
export function refusedKeys(props: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(props)) {
    if (name.startsWith(`${PREFIX}.driver.`)) {
      out[name] = [
        `${name} is a setting of DataStax's Java driver, which this sink does not use (it runs on the Node.js driver). ` +
          'Remove it; the connect.cassandra.* keys cover pool size, timeouts, TLS and consistency.',
      ];
    }
  }
  return out;
}

export interface TlsSettings {
  /** CA certificates, client certificate and key, read from the configured stores by the kit. */
  readonly secure: SecureContextOptions;
  readonly ciphers: readonly string[];
  readonly checkHostname: boolean;
}

export interface CassandraSettings {
  readonly contactPoints: readonly string[];
  readonly port: number;
  readonly localDc: string;
  readonly keySpace: string;
  readonly poolSize: number;
  readonly queryTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly loadBalancing: 'TOKEN_AWARE' | 'ROUND_ROBIN' | 'DC_AWARE_ROUND_ROBIN';
  readonly credentials?: { readonly username: string; readonly password: string };
  readonly tls?: TlsSettings;
  readonly consistency: ConsistencyName;
  readonly maxConcurrent: number;
  readonly maxBatchSize: number;
  readonly ignoreErrors: IgnoreErrorsMode;
  /** Legacy `delete.enabled` + `delete.statement`: the CQL and the key fields it binds. */
  readonly legacyDelete?: { readonly statement: string; readonly keyFields: readonly string[][] };
  /** Legacy `delete.enabled`, when given: the default of every table's `deletesEnabled`. */
  readonly deletesEnabled: boolean;
  /** From `default.value`: the default of every table's `nullToUnset`. */
  readonly nullToUnset: boolean;
}

const given = (props: Record<string, string>, key: string) =>
  props[key] !== undefined && props[key].trim() !== '';

/** The typed settings from the parsed keys; `props` tells which of two synonyms was written. */
export function cassandraSettings(
  parsed: Record<string, ConfigValue>,
  props: Record<string, string>,
): CassandraSettings {
  for (const [key, [message]] of Object.entries(refusedKeys(props))) throw new ConfigException(key, message!);
  const str = (key: string) => String(parsed[key] ?? '').trim();
  const num = (key: string) => parsed[key] as number;
  const contactPoints = str(KEYS.contactPoints)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (contactPoints.length === 0)
    throw new ConfigException(KEYS.contactPoints, 'must name at least one host');

  const username = str(KEYS.authUsername) || str(KEYS.username);
  const password = secretValue(parsed[KEYS.authPassword]) || secretValue(parsed[KEYS.password]);
  if (str(KEYS.authProvider).toUpperCase() === 'PLAIN' && username === '')
    throw new ConfigException(KEYS.authUsername, 'auth.provider is PLAIN but no user name is set');

  const deleteStatement = str(KEYS.deleteStatement);
  const deleteEnabled = parsed[KEYS.deleteEnabled] as boolean;
  const legacyDelete =
    deleteEnabled && deleteStatement !== ''
      ? {
          statement: deleteStatement,
          keyFields: (parsed[KEYS.deleteStructFields] as string[])
            .map((f) => f.trim())
            .filter((f) => f !== '')
            .map((f) => f.split('.')),
        }
      : undefined;

  const maxConcurrent =
    !given(props, KEYS.maxConcurrent) && num(KEYS.threadPoolSize) > 0
      ? num(KEYS.threadPoolSize)
      : num(KEYS.maxConcurrent);
  const queryTimeoutMs =
    !given(props, KEYS.queryTimeout) && given(props, KEYS.readTimeout)
      ? num(KEYS.readTimeout)
      : num(KEYS.queryTimeout);

  return {
    contactPoints,
    port: num(KEYS.port),
    localDc: str(KEYS.localDc),
    keySpace: str(KEYS.keySpace),
    poolSize: num(KEYS.poolSize),
    queryTimeoutMs,
    connectTimeoutMs: num(KEYS.connectTimeout),
    loadBalancing: str(KEYS.loadBalancingPolicy).toUpperCase() as CassandraSettings['loadBalancing'],
    credentials: username !== '' ? { username, password } : undefined,
    tls: parsed[KEYS.sslEnabled] ? tlsSettings(parsed, str) : undefined,
    consistency: (str(KEYS.consistency).toUpperCase() || 'LOCAL_ONE') as ConsistencyName,
    maxConcurrent,
    maxBatchSize: num(KEYS.maxBatchSize),
    ignoreErrors: str(KEYS.ignoreErrorsMode).toLowerCase() as IgnoreErrorsMode,
    legacyDelete,
    deletesEnabled: given(props, KEYS.deleteEnabled) ? deleteEnabled : true,
    nullToUnset: str(KEYS.defaultValue).toUpperCase() !== 'NULL',
  };
}

/**
 * The TLS options: trust and key stores (JKS, PKCS12 or PEM, read by the kit, a wrong password an
 * error on its key) from the 4B keys or their legacy synonyms, or PEM files for the client key.
 */
function tlsSettings(parsed: Record<string, ConfigValue>, str: (key: string) => string): TlsSettings {
  const store = (
    pathKey: string,
    legacyPathKey: string,
    passwordKey: string,
    legacyPasswordKey: string,
    legacyTypeKey: string,
  ) => {
    const modern = str(pathKey);
    const path = modern || str(legacyPathKey);
    if (path === '') return { store: null, pathKey: modern ? pathKey : legacyPathKey, passwordKey };
    const password = secretValue(parsed[passwordKey]) || secretValue(parsed[legacyPasswordKey]);
    const type = modern ? sniffStoreType(path, pathKey) : (str(legacyTypeKey).toUpperCase() as StoreType);
    return {
      store: { path, type, password },
      pathKey: modern ? pathKey : legacyPathKey,
      passwordKey: secretValue(parsed[passwordKey]) ? passwordKey : legacyPasswordKey,
    };
  };
  const trust = store(
    KEYS.truststorePath,
    KEYS.legacyTrustStorePath,
    KEYS.truststorePassword,
    KEYS.legacyTrustStorePassword,
    KEYS.legacyTrustStoreType,
  );
  const key = store(
    KEYS.keystorePath,
    KEYS.legacyKeyStorePath,
    KEYS.keystorePassword,
    KEYS.legacyKeyStorePassword,
    KEYS.legacyKeyStoreType,
  );
  // The kit names keys in its errors: these are the ones the user wrote.
  const keys = {
    ...sslKeyNames(PREFIX),
    truststoreLocation: trust.pathKey,
    truststorePassword: trust.passwordKey,
    keystoreLocation: key.pathKey,
    keystorePassword: key.passwordKey,
    keyPassword: key.passwordKey,
  } as unknown as SslSettings['keys'];
  const secure = tlsOptions({
    trustStore: trust.store,
    keyStore: key.store,
    keyPassword: key.store?.password ?? '',
    keys,
  });
  const certChain = str(KEYS.opensslCertChain);
  const privateKey = str(KEYS.opensslPrivateKey);
  if ((certChain === '') !== (privateKey === ''))
    throw new ConfigException(
      certChain === '' ? KEYS.opensslCertChain : KEYS.opensslPrivateKey,
      'ssl.openssl.key.cert.chain and ssl.openssl.private.key go together: set both or neither',
    );
  if (certChain !== '') {
    secure.cert = readKeyFile(certChain, KEYS.opensslCertChain);
    secure.key = readKeyFile(privateKey, KEYS.opensslPrivateKey);
    try {
      createSecureContext({ cert: secure.cert, key: secure.key });
    } catch (e) {
      throw new ConfigException(
        KEYS.opensslPrivateKey,
        `is not the private key of ${KEYS.opensslCertChain} (or not a PEM key): ${(e as Error).message}`,
      );
    }
  }
  return {
    secure,
    ciphers: (parsed[KEYS.cipherSuites] as string[]).map((c) => c.trim()).filter((c) => c !== ''),
    checkHostname: parsed[KEYS.hostnameVerification] as boolean,
  };
}

/** The 4B keys do not say a store's format: PEM text, a JKS magic number, or else PKCS12. */
function sniffStoreType(path: string, key: string): StoreType {
  const head = readKeyFile(path, key).subarray(0, 64);
  if (head.toString('latin1').includes('-----BEGIN')) return 'PEM';
  return head.length >= 4 && head.readUInt32BE(0) === 0xfeedfeed ? 'JKS' : 'PKCS12';
}
