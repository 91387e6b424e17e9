import {
  ConfigDef,
  ConfigException,
  secretValue,
  validators,
  type ConfigValue,
  type KcqlSupport,
} from '@sluice/core/sink';

// `connect.influx.*`: the keys of Stream Reactor's InfluxDB sink (spec/stream-reactor-sinks.md §3.1)
// with the same names and defaults, the InfluxDB 2.x keys Stream Reactor never had (org, bucket,
// token), and what Sluice adds to bound its writes (batch size in points and bytes, writes in flight,
// gzip, request timeout). The kit adds kcql, error.policy, max.retries, retry.interval and
// connect.progress.enabled.

export const PREFIX = 'connect.influx';
export const KCQL_KEY = `${PREFIX}.kcql`;
export const URL_KEY = `${PREFIX}.url`;
export const DATABASE = `${PREFIX}.db`;
export const USERNAME = `${PREFIX}.username`;
export const PASSWORD = `${PREFIX}.password`;
export const RETENTION_POLICY = `${PREFIX}.retention.policy`;
export const CONSISTENCY_LEVEL = `${PREFIX}.consistency.level`;
export const ORG = `${PREFIX}.org`;
export const BUCKET = `${PREFIX}.bucket`;
export const TOKEN = `${PREFIX}.token`;
export const BATCH_POINTS = `${PREFIX}.batch.points`;
export const BATCH_BYTES = `${PREFIX}.batch.bytes`;
export const MAX_IN_FLIGHT = `${PREFIX}.max.in.flight`;
export const GZIP_THRESHOLD = `${PREFIX}.gzip.threshold`;
export const REQUEST_TIMEOUT = `${PREFIX}.request.timeout.ms`;
export const SCHEMALESS_NUMBERS = `${PREFIX}.schemaless.numbers`;

export const SCHEMALESS_NUMBER_MODES = ['EXACT', 'FLOAT'] as const;

export const CONSISTENCY_LEVELS = ['ALL', 'ANY', 'ONE', 'QUORUM'] as const;
export type ConsistencyLevel = (typeof CONSISTENCY_LEVELS)[number];

/** The KCQL this sink honours (spec §10 matrix, plus PROPERTIES('explode'=…)). */
export const KCQL_SUPPORT: KcqlSupport = {
  supported: [
    'INSERT',
    'IGNORE',
    'SELECT _key',
    'WITHTIMESTAMP',
    'TIMESTAMPUNIT',
    'WITHTAG',
    'WITHTARGET',
    'PROPERTIES',
  ],
};

export const KCQL_DOC =
  'KCQL statements: `INSERT INTO <measurement> SELECT <fields>|*|_key.* FROM <topic> [IGNORE …] [WITHTARGET = <field>] ' +
  "[WITHTIMESTAMP <field>|sys_time()] [TIMESTAMPUNIT = <unit>] [WITHTAG (…)] [PROPERTIES('explode'='<array field>')]`, separated by `;`.";

const V1_KEYS = [DATABASE, RETENTION_POLICY, USERNAME, PASSWORD, CONSISTENCY_LEVEL] as const;
const V2_KEYS = [ORG, BUCKET, TOKEN] as const;

export const configDef: ConfigDef = new ConfigDef()
  .define({
    name: URL_KEY,
    type: 'STRING',
    importance: 'HIGH',
    group: 'Connection',
    validator: (v) => {
      if (typeof v !== 'string' || !/^https?:\/\/\S+$/.test(v.trim()))
        throw new Error(
          'must be an http:// or https:// URL of the InfluxDB HTTP API, e.g. http://influxdb:8086',
        );
    },
    doc: 'InfluxDB HTTP API URL, e.g. `http://influxdb:8086` (https:// for TLS).',
  })
  .define({
    name: DATABASE,
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: 'InfluxDB 1.x',
    doc: 'InfluxDB 1.x database to write to (required unless the 2.x keys are used). It must exist: the sink does not create it.',
  })
  .define({
    name: USERNAME,
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: 'InfluxDB 1.x',
    doc: 'InfluxDB 1.x user (HTTP basic authentication); empty when authentication is off.',
  })
  .define({
    name: PASSWORD,
    type: 'PASSWORD',
    default: '',
    importance: 'HIGH',
    group: 'InfluxDB 1.x',
    doc: 'Password of connect.influx.username.',
  })
  .define({
    name: RETENTION_POLICY,
    type: 'STRING',
    default: 'autogen',
    importance: 'MEDIUM',
    group: 'InfluxDB 1.x',
    validator: validators.nonEmptyString(),
    doc: 'InfluxDB 1.x retention policy the points are written to (`default` on InfluxDB before 1.0).',
  })
  .define({
    name: CONSISTENCY_LEVEL,
    type: 'STRING',
    default: 'ALL',
    importance: 'MEDIUM',
    group: 'InfluxDB 1.x',
    validator: validators.oneOf([...CONSISTENCY_LEVELS]),
    recommendedValues: [...CONSISTENCY_LEVELS],
    doc: 'Write consistency sent with every 1.x write (`consistency=` parameter; it matters to InfluxDB Enterprise clusters, open-source servers accept and ignore it).',
  })
  .define({
    name: ORG,
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: 'InfluxDB 2.x',
    doc: 'InfluxDB 2.x organization (name or ID). Setting any of the 2.x keys writes through `/api/v2/write`; then connect.influx.db and connect.influx.retention.policy must not be set.',
  })
  .define({
    name: BUCKET,
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: 'InfluxDB 2.x',
    doc: 'InfluxDB 2.x bucket to write to (on a 1.8 server: `<database>/<retention policy>`).',
  })
  .define({
    name: TOKEN,
    type: 'PASSWORD',
    default: '',
    importance: 'HIGH',
    group: 'InfluxDB 2.x',
    doc: 'InfluxDB 2.x API token with write permission on the bucket (on a 1.8 server: `<user>:<password>`).',
  })
  .define({
    name: SCHEMALESS_NUMBERS,
    type: 'STRING',
    default: 'EXACT',
    importance: 'MEDIUM',
    group: 'Mapping',
    validator: validators.oneOf([...SCHEMALESS_NUMBER_MODES]),
    recommendedValues: [...SCHEMALESS_NUMBER_MODES],
    doc:
      'Numbers of values without a schema (schemaless JSON, JSON text). EXACT: a whole number is an integer field, others floats (Stream Reactor). ' +
      'FLOAT: every such number is a float field, so that a price sent as 2 and then 2.5 does not make a field type conflict. Values with a schema (Avro, JSON with schemas) always follow their schema.',
  })
  .define({
    name: BATCH_POINTS,
    type: 'INT',
    default: 5000,
    importance: 'LOW',
    group: 'Writes',
    validator: validators.atLeast(1),
    doc: 'Most points in one write request (InfluxData recommends 5000).',
  })
  .define({
    name: BATCH_BYTES,
    type: 'INT',
    default: 4 * 1024 * 1024,
    importance: 'LOW',
    group: 'Writes',
    validator: validators.atLeast(1024),
    doc: 'Most line-protocol bytes (before gzip) in one write request; a single larger point is sent alone.',
  })
  .define({
    name: MAX_IN_FLIGHT,
    type: 'INT',
    default: 4,
    importance: 'LOW',
    group: 'Writes',
    validator: validators.atLeast(1),
    doc: 'Write requests in flight at once per task.',
  })
  .define({
    name: GZIP_THRESHOLD,
    type: 'INT',
    // Off by default: on a local network compressing costs the worker more CPU than sending the bytes
    // (measured at the default level: 3 µs per 1 KB line of repetitive text, 35 µs of random text);
    // worth it towards a remote server or InfluxDB Cloud.
    default: -1,
    importance: 'LOW',
    group: 'Writes',
    validator: validators.atLeast(-1),
    doc: 'Write bodies larger than this many bytes are sent gzip-compressed; -1 (the default) never compresses. Compression costs CPU on both ends: set it (e.g. 1000) when InfluxDB is across a slow or metered link (InfluxDB Cloud, another region), not on a local network.',
  })
  .define({
    name: REQUEST_TIMEOUT,
    type: 'INT',
    default: 30000,
    importance: 'LOW',
    group: 'Writes',
    validator: validators.atLeast(1),
    doc: 'Milliseconds a write request may take before it fails (a transient error, for the error policy).',
  });

/** Where the points go: a 1.x database and retention policy, or a 2.x organization and bucket. */
export type InfluxTarget =
  | {
      readonly api: 'v1';
      readonly database: string;
      readonly retentionPolicy: string;
      readonly username: string;
      readonly password: string;
      readonly consistency: ConsistencyLevel;
    }
  | { readonly api: 'v2'; readonly org: string; readonly bucket: string; readonly token: string };

export interface InfluxSinkConfig {
  readonly url: string;
  readonly target: InfluxTarget;
  readonly batchPoints: number;
  readonly batchBytes: number;
  readonly maxInFlight: number;
  /** undefined: never gzip. */
  readonly gzipThreshold: number | undefined;
  readonly requestTimeoutMs: number;
  /** Numbers without a schema are all written as floats. */
  readonly schemalessFloats: boolean;
}

/**
 * The connector's own settings. `props` are the raw properties (to tell a key the user set from a
 * default); a config mixing the 1.x and 2.x keys, or missing what its generation needs, is refused
 * naming the keys.
 */
export function influxSinkConfig(
  parsed: Record<string, ConfigValue>,
  props: Record<string, string>,
): InfluxSinkConfig {
  const isSet = (key: string) => props[key] !== undefined && props[key]!.trim() !== '';
  const v2Keys = V2_KEYS.filter(isSet);
  const v1Keys = V1_KEYS.filter(isSet);
  let target: InfluxTarget;
  if (v2Keys.length > 0) {
    if (v1Keys.length > 0) {
      throw new ConfigException(
        v1Keys[0]!,
        `the InfluxDB 1.x keys (${v1Keys.join(', ')}) and the 2.x keys (${v2Keys.join(', ')}) cannot be mixed: ` +
          `for InfluxDB 2.x set ${V2_KEYS.join(', ')}; for 1.x set ${DATABASE} (and ${USERNAME}, ${PASSWORD}, ${RETENTION_POLICY}).`,
      );
    }
    for (const key of [ORG, BUCKET]) {
      if (!isSet(key))
        throw new ConfigException(
          key,
          `${key} is required when the InfluxDB 2.x keys are used (${v2Keys.join(', ')} set).`,
        );
    }
    target = {
      api: 'v2',
      org: String(parsed[ORG]).trim(),
      bucket: String(parsed[BUCKET]).trim(),
      token: secretValue(parsed[TOKEN]),
    };
  } else {
    if (!isSet(DATABASE)) {
      throw new ConfigException(
        DATABASE,
        `${DATABASE} is required (InfluxDB 1.x); for InfluxDB 2.x set ${ORG}, ${BUCKET} and ${TOKEN} instead.`,
      );
    }
    target = {
      api: 'v1',
      database: String(parsed[DATABASE]).trim(),
      retentionPolicy: String(parsed[RETENTION_POLICY]).trim(),
      username: String(parsed[USERNAME] ?? '').trim(),
      password: secretValue(parsed[PASSWORD]),
      consistency: String(parsed[CONSISTENCY_LEVEL]).toUpperCase() as ConsistencyLevel,
    };
  }
  const gzip = parsed[GZIP_THRESHOLD] as number;
  return {
    url: String(parsed[URL_KEY]).trim().replace(/\/+$/, ''),
    target,
    batchPoints: parsed[BATCH_POINTS] as number,
    batchBytes: parsed[BATCH_BYTES] as number,
    maxInFlight: parsed[MAX_IN_FLIGHT] as number,
    gzipThreshold: gzip < 0 ? undefined : gzip,
    requestTimeoutMs: parsed[REQUEST_TIMEOUT] as number,
    schemalessFloats: String(parsed[SCHEMALESS_NUMBERS]).toUpperCase() === 'FLOAT',
  };
}
