import { ConfigException, fieldSegments, type KcqlField, type KcqlStatement } from '@sluice/core/sink';
import { CONSISTENCY_LEVELS, KCQL_KEY, type CassandraSettings, type ConsistencyName } from './config.js';

// One KCQL statement → where and how its records are written (pure; checked at validate and at start):
// the table, the column mapping (`<path> AS <column>` from the value, `_key.`, `_header.`, record
// metadata), `*` / `parent.*` expansions, TTL and write time (KCQL `TTL`, PROPERTIES, or the special
// target columns `message_internal_ttl` / `message_internal_timestamp`), per-table PROPERTIES, and the
// PK of AUTOCREATE.

export const TTL_COLUMN = 'message_internal_ttl';
export const TIMESTAMP_COLUMN = 'message_internal_timestamp';

export type SourceKind = 'value' | 'key' | 'header' | 'topic' | 'partition' | 'offset' | 'timestamp';

export interface ColumnSource {
  readonly kind: SourceKind;
  /** Path inside the value / key, or [header name, …path inside it]; [] is the whole value or key. */
  readonly path: readonly string[];
  /** As the user wrote it, for messages: `_key.id`, `payload.amount`. */
  readonly label: string;
}

export interface ColumnMapping {
  /** The target column as written (matched exactly, or by case alone when that is unambiguous). */
  readonly column: string;
  readonly source: ColumnSource;
}

export type TimeUnitName =
  'NANOSECONDS' | 'MICROSECONDS' | 'MILLISECONDS' | 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS';
const TIME_UNITS: readonly TimeUnitName[] = [
  'NANOSECONDS',
  'MICROSECONDS',
  'MILLISECONDS',
  'SECONDS',
  'MINUTES',
  'HOURS',
  'DAYS',
];

/** What a tombstone does when it cannot delete (PROPERTIES `behavior.on.null.values`). */
export type NullValueBehavior = 'DELETE' | 'IGNORE' | 'FAIL';

export interface TableRoute {
  readonly topic: string;
  readonly keyspace: string;
  readonly table: string;
  readonly mappings: readonly ColumnMapping[];
  /** Value paths whose children all become columns: [] for `*`, ['inner'] for `inner.*`. */
  readonly wildcards: readonly (readonly string[])[];
  /** WITHSTRUCTURE: a nested selection `a.b` writes column `a` with the selected branches only. */
  readonly retainStructure: boolean;
  readonly ttl:
    { readonly seconds: number } | { readonly source: ColumnSource; readonly unit: TimeUnitName } | null;
  readonly timestamp: { readonly source: ColumnSource; readonly unit: TimeUnitName } | null;
  readonly consistency: ConsistencyName;
  readonly nullToUnset: boolean;
  readonly deletesEnabled: boolean;
  readonly onNullValue: NullValueBehavior;
  readonly autoCreate: boolean;
  /** AUTOCREATE: the KCQL PK columns, the first being the partition key. */
  readonly primaryKeys: readonly string[];
}

const NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/;

const PROPERTY_KEYS = [
  'consistencyLevel',
  'consistency.level',
  'ttl',
  'ttlTimeUnit',
  'timestampTimeUnit',
  'nullToUnset',
  'deletesEnabled',
  'behavior.on.null.values',
] as const;

export function compileRoute(statement: KcqlStatement, settings: CassandraSettings): TableRoute {
  const target = statement.target ?? '';
  const where = `the statement for ${target} (FROM ${statement.source})`;
  const bad = (message: string): never => {
    throw new ConfigException(KCQL_KEY, `${where}: ${message}`);
  };
  const parts = target.split('.');
  if (parts.length > 2) bad(`the target must be <keyspace>.<table> or <table>, not '${target}'`);
  const [keyspace, table] = parts.length === 2 ? [parts[0]!, parts[1]!] : [settings.keySpace, parts[0]!];
  if (keyspace === '')
    bad(
      `'${target}' names no keyspace: write INSERT INTO <keyspace>.${target} or set connect.cassandra.key.space`,
    );
  for (const name of [keyspace, table])
    if (!NAME.test(name))
      bad(`'${name}' is not a Cassandra name (a letter, then up to 47 letters, digits or _)`);

  const s = statement as KcqlStatement & {
    ttl?: number;
    properties?: Record<string, string>;
    autoCreate?: boolean;
  };
  const properties = s.properties ?? {};
  for (const key of Object.keys(properties)) {
    if (!(PROPERTY_KEYS as readonly string[]).includes(key)) {
      bad(
        key === 'query'
          ? "PROPERTIES('query'=…) (a custom CQL statement) is not supported; map columns in the SELECT list instead"
          : `unknown PROPERTIES key '${key}' (supported: ${PROPERTY_KEYS.join(', ')})`,
      );
    }
  }
  const bool = (key: string, fallback: boolean): boolean => {
    const v = properties[key];
    if (v === undefined) return fallback;
    if (!/^(true|false)$/i.test(v.trim())) bad(`PROPERTIES '${key}' must be true or false, not '${v}'`);
    return v.trim().toLowerCase() === 'true';
  };
  const unit = (key: string, fallback: TimeUnitName): TimeUnitName => {
    const v = properties[key]?.trim().toUpperCase();
    if (v === undefined) return fallback;
    if (!TIME_UNITS.includes(v as TimeUnitName))
      bad(`PROPERTIES '${key}' must be one of ${TIME_UNITS.join(', ')}`);
    return v as TimeUnitName;
  };

  const consistencyText = (properties['consistencyLevel'] ?? properties['consistency.level'])
    ?.trim()
    .toUpperCase();
  if (consistencyText !== undefined && !CONSISTENCY_LEVELS.includes(consistencyText as ConsistencyName))
    bad(`'${consistencyText}' is not a consistency level (${CONSISTENCY_LEVELS.join(', ')})`);
  const onNull = (properties['behavior.on.null.values']?.trim().toUpperCase() ??
    'DELETE') as NullValueBehavior;
  if (!['DELETE', 'IGNORE', 'FAIL'].includes(onNull))
    bad("PROPERTIES 'behavior.on.null.values' must be DELETE, IGNORE or FAIL");

  const mappings: ColumnMapping[] = [];
  const wildcards: string[][] = [];
  for (const field of statement.fields) {
    const segments = fieldSegments(field);
    if (field.type === 'VALUE' && segments.length === 1 && segments[0] === '_key') {
      // `_key AS id`: the whole key (a string or number key) as a column.
      mappings.push({ column: columnName(field), source: { kind: 'key', path: [], label: '_key' } });
    } else if (field.type === 'VALUE') {
      // `_value.x` is the value's x (4B spelling); the parser keeps `_value` as a first segment.
      const path = segments[0] === '_value' ? segments.slice(1) : segments;
      if (field.name === '*') {
        wildcards.push(path.slice(0, -1));
        continue;
      }
      mappings.push({
        column: columnName(field),
        source: { kind: 'value', path, label: segments.join('.') },
      });
    } else if (field.type === 'KEY') {
      // `_.key.x` metadata form.
      mappings.push({
        column: columnName(field),
        source: { kind: 'key', path: keyPath(field), label: `_key.${keyPath(field).join('.')}` },
      });
    } else {
      const kind = field.type.toLowerCase() as SourceKind;
      mappings.push({ column: columnName(field), source: { kind, path: [], label: `_.${kind}` } });
    }
  }
  for (const field of statement.keyFields) {
    if (field.name === '*') bad('`_key.*` is not supported: name the key fields and their columns');
    const path = fieldSegments(field).filter((_, i, all) => !(i === 0 && all[0] === '_key'));
    mappings.push({
      column: columnName(field),
      source: { kind: 'key', path: field.name === '_key' ? [] : path, label: `_key.${path.join('.')}` },
    });
  }
  for (const field of statement.headerFields) {
    const path = fieldSegments(field);
    mappings.push({
      column: columnName(field),
      source: { kind: 'header', path, label: `_header.${path.join('.')}` },
    });
  }

  const seen = new Set<string>();
  for (const m of mappings) {
    if (seen.has(m.column)) bad(`column ${m.column} is mapped twice`);
    seen.add(m.column);
  }

  const special = (name: string) => mappings.find((m) => m.column.toLowerCase() === name);
  const ttlMapping = special(TTL_COLUMN);
  const timestampMapping = special(TIMESTAMP_COLUMN);
  const propertyTtl = properties['ttl'] === undefined ? undefined : Number(properties['ttl']);
  if (propertyTtl !== undefined && !(Number.isInteger(propertyTtl) && propertyTtl >= -1))
    bad(`PROPERTIES 'ttl' must be an integer ≥ -1 (seconds; -1 for none), not '${properties['ttl']}'`);
  const kcqlTtl = s.ttl && s.ttl > 0 ? s.ttl : undefined;
  const ttlUnit = unit('ttlTimeUnit', 'SECONDS');
  const fixedTtl =
    kcqlTtl ?? (propertyTtl !== undefined && propertyTtl > 0 ? toSeconds(propertyTtl, ttlUnit) : undefined);

  const primaryKeys = statement.primaryKeys.map((pk) => pk.alias);
  const autoCreate = s.autoCreate === true;
  if (autoCreate && primaryKeys.length === 0)
    bad('AUTOCREATE needs the primary key: add PK <field>[, <field>…] (the first is the partition key)');

  return {
    topic: statement.source ?? '',
    keyspace,
    table,
    mappings: mappings.filter((m) => m !== ttlMapping && m !== timestampMapping),
    wildcards,
    retainStructure: statement.retainStructure,
    ttl: ttlMapping ? { source: ttlMapping.source, unit: ttlUnit } : fixedTtl ? { seconds: fixedTtl } : null,
    timestamp: timestampMapping
      ? { source: timestampMapping.source, unit: unit('timestampTimeUnit', 'MICROSECONDS') }
      : null,
    consistency: (consistencyText as ConsistencyName | undefined) ?? settings.consistency,
    nullToUnset: bool('nullToUnset', settings.nullToUnset),
    deletesEnabled: bool('deletesEnabled', settings.deletesEnabled),
    onNullValue: onNull,
    autoCreate,
    primaryKeys,
  };
}

function columnName(field: KcqlField): string {
  return field.alias;
}

function keyPath(field: KcqlField): string[] {
  // `_.key.a.b` → parents ['_', 'key', 'a'], name 'b'
  const segments = fieldSegments(field);
  const start = segments[0] === '_' && segments[1] === 'key' ? 2 : segments[0] === '_key' ? 1 : 0;
  return segments.slice(start);
}

const UNIT_SECONDS: Record<TimeUnitName, number> = {
  NANOSECONDS: 1e-9,
  MICROSECONDS: 1e-6,
  MILLISECONDS: 1e-3,
  SECONDS: 1,
  MINUTES: 60,
  HOURS: 3600,
  DAYS: 86400,
};

/** A duration in `unit` → whole seconds (TTL), rounded down. */
export function toSeconds(amount: number, unit: TimeUnitName): number {
  return Math.floor(amount * UNIT_SECONDS[unit]);
}

const UNIT_MICROS: Record<TimeUnitName, bigint> = {
  NANOSECONDS: 0n,
  MICROSECONDS: 1n,
  MILLISECONDS: 1_000n,
  SECONDS: 1_000_000n,
  MINUTES: 60_000_000n,
  HOURS: 3_600_000_000n,
  DAYS: 86_400_000_000n,
};

/** A point in time in `unit` since the epoch → microseconds (the unit of Cassandra write times). */
export function toMicros(amount: bigint, unit: TimeUnitName): bigint {
  return unit === 'NANOSECONDS' ? amount / 1_000n : amount * UNIT_MICROS[unit];
}
