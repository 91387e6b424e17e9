import {
  ConfigDef,
  ConfigException,
  readKeyFile,
  secretValue,
  validators,
  type ConfigValue,
  type KcqlClause,
} from '@sluice/core/sink';

// `connect.rethink.*`: the keys of Stream Reactor's ReThinkDB sink (spec/stream-reactor-sinks.md §9.1)
// with the same defaults. Its code spelled three of them with a doubled `rethink`
// (`connect.rethink.rethink.username`, `.cert.file`, `.auth.key`); both spellings are accepted.
// Sluice adds durability, delete.on.null and max.in.flight.

export const PREFIX = 'connect.rethink';
export const KCQL_KEY = `${PREFIX}.kcql`;
export const HOST = `${PREFIX}.host`;
export const PORT = `${PREFIX}.port`;
export const DATABASE = `${PREFIX}.db`;
export const USERNAME = `${PREFIX}.username`;
export const PASSWORD = `${PREFIX}.password`;
export const CERT_FILE = `${PREFIX}.cert.file`;
export const AUTH_KEY = `${PREFIX}.auth.key`;
export const DURABILITY = `${PREFIX}.durability`;
export const DELETE_ON_NULL = `${PREFIX}.delete.on.null`;
export const MAX_IN_FLIGHT = `${PREFIX}.max.in.flight`;
export const BATCH_SIZE = `${PREFIX}.batch.size`;

/** What the sink honours (spec §10 matrix, plus the shared projection's `_key`/header/metadata fields). */
export const SUPPORTED_KCQL: readonly KcqlClause[] = [
  'INSERT',
  'UPSERT',
  'IGNORE',
  'PK',
  'BATCH',
  'AUTOCREATE',
  'PROPERTIES',
  'WITHSTRUCTURE',
  'SELECT _key',
  'SELECT _header',
  'SELECT _.topic/partition/offset/timestamp',
];

const GROUP = 'Connection';

export const configDef: ConfigDef = new ConfigDef()
  .define({
    name: HOST,
    type: 'STRING',
    default: 'localhost',
    importance: 'HIGH',
    group: GROUP,
    validator: validators.nonEmptyString(),
    doc: 'Host name of the RethinkDB server.',
  })
  .define({
    name: PORT,
    type: 'INT',
    default: 28015,
    importance: 'MEDIUM',
    group: GROUP,
    validator: validators.between(1, 65535),
    doc: 'Client driver port of the RethinkDB server.',
  })
  .define({
    name: DATABASE,
    type: 'STRING',
    default: 'connect_rethink_sink',
    importance: 'HIGH',
    group: GROUP,
    validator: validators.nonEmptyString(),
    doc: 'Database the KCQL tables live in (created when a statement has AUTOCREATE).',
  })
  .define({
    name: USERNAME,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: GROUP,
    aliases: [`${PREFIX}.rethink.username`],
    doc: `User to log in as (RethinkDB 2.3+ users); empty for \`admin\`. Stream Reactor's spelling \`${PREFIX}.rethink.username\` is accepted.`,
  })
  .define({
    name: PASSWORD,
    type: 'PASSWORD',
    default: '',
    importance: 'MEDIUM',
    group: GROUP,
    doc: 'Password of the user.',
  })
  .define({
    name: CERT_FILE,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: GROUP,
    aliases: [`${PREFIX}.rethink.cert.file`],
    doc: `PEM file of the CA certificate that signed the server's certificate; setting it connects over TLS. Stream Reactor's spelling \`${PREFIX}.rethink.cert.file\` is accepted.`,
  })
  .define({
    name: AUTH_KEY,
    type: 'PASSWORD',
    default: '',
    importance: 'MEDIUM',
    group: GROUP,
    aliases: [`${PREFIX}.rethink.auth.key`],
    doc: `Pre-2.3 authentication key: the driver logs in as \`admin\` with it as the password; cannot be combined with ${USERNAME} / ${PASSWORD}. Stream Reactor's spelling \`${PREFIX}.rethink.auth.key\` is accepted.`,
  })
  .define({
    name: DURABILITY,
    type: 'STRING',
    default: 'hard',
    importance: 'LOW',
    group: 'Writes',
    validator: validators.oneOf(['hard', 'soft']),
    recommendedValues: ['hard', 'soft'],
    doc: 'RethinkDB write durability: `hard` acknowledges a write once it is on disk, `soft` once it is in memory (faster; a server crash can lose acknowledged writes, whose offsets may already be committed).',
  })
  .define({
    name: DELETE_ON_NULL,
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: 'Writes',
    doc: 'A record with a null value (a tombstone) deletes the document whose id its key gives. When false, a tombstone is a bad record: errors.tolerance / the DLQ, otherwise the error policy.',
  })
  .define({
    name: BATCH_SIZE,
    type: 'INT',
    default: 1000,
    importance: 'LOW',
    group: 'Writes',
    validator: validators.atLeast(1),
    doc: 'Documents per insert query when a KCQL statement has no `BATCH = n`.',
  })
  .define({
    name: MAX_IN_FLIGHT,
    type: 'INT',
    default: 2,
    importance: 'LOW',
    group: 'Writes',
    validator: validators.atLeast(1),
    doc: 'Insert and delete queries in flight at once per task, across batches: the worker reads and prepares the next records while RethinkDB writes. Writes of the same document keep their record order (a query waits for an earlier one still writing that id); offsets are committed only for what RethinkDB acknowledged.',
  });

export type Durability = 'hard' | 'soft';

export interface RethinkSettings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly authKey: string;
  /** PEM text of the CA certificate; null: no TLS. */
  readonly ca: string | null;
  readonly durability: Durability;
  readonly deleteOnNull: boolean;
  readonly batchSize: number;
  readonly maxInFlight: number;
}

export function rethinkSettings(parsed: Record<string, ConfigValue>): RethinkSettings {
  const user = String(parsed[USERNAME] ?? '');
  const password = secretValue(parsed[PASSWORD]);
  const authKey = secretValue(parsed[AUTH_KEY]);
  if (authKey !== '' && (user !== '' || password !== '')) {
    throw new ConfigException(
      AUTH_KEY,
      `${AUTH_KEY} logs in as admin with the key as password, so it cannot be combined with ${USERNAME} or ${PASSWORD}; set one or the other.`,
    );
  }
  const certFile = String(parsed[CERT_FILE] ?? '');
  return {
    host: String(parsed[HOST]),
    port: parsed[PORT] as number,
    database: String(parsed[DATABASE]),
    user,
    password,
    authKey,
    ca: certFile === '' ? null : readCertificate(certFile),
    durability: String(parsed[DURABILITY]) as Durability,
    deleteOnNull: parsed[DELETE_ON_NULL] as boolean,
    batchSize: parsed[BATCH_SIZE] as number,
    maxInFlight: parsed[MAX_IN_FLIGHT] as number,
  };
}

function readCertificate(file: string): string {
  const text = readKeyFile(file, CERT_FILE).toString('utf8');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigException(CERT_FILE, `${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }
  return text;
}
