import {
  ConfigException,
  DataException,
  RecordView,
  extractPrimaryKeys,
  extractPrimaryKeysFromKey,
  projectRecord,
  valueHooks,
  type KcqlStatement,
  type SinkRecord,
} from '@sluice/core/sink';
import { KCQL_KEY } from './config.js';
import { put, toWire } from './wire.js';

// A record → the RethinkDB write it stands for (spec/stream-reactor-sinks.md §9.2–9.3), one rule for
// Structs, Maps and JSON text where the reference had two:
// - the document is the KCQL projection of the value;
// - its primary-key field: with one PK field, that field (named by its alias), holding the value as a
//   string, as the reference wrote it; with several, `id` = the values joined with `.`; without PK,
//   `id` = `<topic>-<partition>-<offset>`, so a replay writes the same document again;
// - a tombstone deletes the document whose id the key gives (with delete.on.null).

export type Conflict = 'error' | 'replace' | 'update';

/** What a KCQL statement compiles to. */
export interface RethinkRoute {
  readonly statement: KcqlStatement;
  readonly table: string;
  readonly conflict: Conflict;
  /** The table's primary-key field that documents carry. */
  readonly primaryKey: string;
  readonly autoCreate: boolean;
}

export type RethinkOperation =
  | {
      readonly kind: 'insert';
      readonly route: RethinkRoute;
      readonly id: string;
      readonly document: Document;
      /** The document as the ReQL JSON protocol carries it (see wire.ts), built once here. */
      readonly wire: Document;
    }
  | { readonly kind: 'delete'; readonly route: RethinkRoute; readonly id: string };

export type Document = Record<string, unknown>;

const TABLE_NAME = /^[A-Za-z0-9_-]+$/;
const PROPERTIES = ['conflict'];

export function compileRoute(statement: KcqlStatement): RethinkRoute {
  const table = statement.target!;
  const where = `INSERT|UPSERT INTO ${table}`;
  if (!TABLE_NAME.test(table)) {
    throw new ConfigException(
      KCQL_KEY,
      `${where}: \`${table}\` is not a RethinkDB table name (use A-Z, a-z, 0-9, _ and - only).`,
    );
  }
  const properties = (statement.properties ?? {}) as Record<string, string>;
  const unknown = Object.keys(properties).filter((p) => !PROPERTIES.includes(p));
  if (unknown.length > 0) {
    throw new ConfigException(
      KCQL_KEY,
      `${where}: unknown PROPERTIES ${unknown.map((p) => `'${p}'`).join(', ')}; the RethinkDB sink knows 'conflict'.`,
    );
  }
  let conflict: Conflict = statement.writeMode === 'UPSERT' ? 'replace' : 'error';
  if (properties['conflict'] !== undefined) {
    const asked = properties['conflict'].toLowerCase();
    if (statement.writeMode !== 'UPSERT' || (asked !== 'replace' && asked !== 'update')) {
      throw new ConfigException(
        KCQL_KEY,
        `${where}: PROPERTIES('conflict'='${properties['conflict']}') is not allowed; UPSERT takes 'replace' (the default) or 'update', INSERT always refuses to overwrite.`,
      );
    }
    conflict = asked;
  }
  const pks = statement.primaryKeys;
  return {
    statement,
    table,
    conflict,
    primaryKey: pks.length === 1 ? pks[0]!.alias : 'id',
    autoCreate: Boolean(statement.autoCreate),
  };
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Connect types → what the driver writes as RethinkDB's: Timestamp and Date → TIME (a JS Date), bytes →
 * BINARY (a Buffer), INT64 → a number while it is exact (|n| ≤ 2^53 − 1), beyond that its decimal
 * string; Decimal → its exact decimal string (RethinkDB numbers are doubles); Time → millis of day;
 * maps with non-string keys → objects keyed by the key's text (RethinkDB objects have string keys).
 */
export const rethinkValueHooks = valueHooks<unknown>({
  int64: (v) => (v <= MAX_EXACT && v >= -MAX_EXACT ? Number(v) : v.toString()),
  float: (v) => {
    if (!Number.isFinite(v)) throw new DataException(`RethinkDB cannot store the number ${v}`);
    return v;
  },
  decimal: (d) => d.toString(),
  map: (entries) => {
    const out: Document = {};
    for (const [k, v] of entries) put(out, keyText(k), v);
    return out;
  },
});

function keyText(key: unknown): string {
  if (key instanceof Date) return key.toISOString();
  if (Buffer.isBuffer(key)) return key.toString('base64');
  return String(key);
}

/** The operation for one record, or a DataException naming the record and the field at fault. */
export function toOperation(
  record: SinkRecord,
  route: RethinkRoute,
  connectorName: string,
): RethinkOperation {
  const view = new RecordView(record, { connectorName });
  const pks = route.statement.primaryKeys;
  if (record.value === null) {
    return { kind: 'delete', route, id: tombstoneId(view, route) };
  }
  const projected = projectRecord(view, route.statement, { connectorName, valueHooks: rethinkValueHooks });
  const id =
    pks.length === 0
      ? `${record.topic}-${record.kafkaPartition}-${record.kafkaOffset}`
      : joinKey(extractPrimaryKeys(view, pks, { connectorName }).map((p) => p.value));
  // The projection's object is this record's own: the key field is set on it.
  const document: Document = projected;
  put(document, route.primaryKey, id);
  let wire: Document;
  try {
    wire = toWire(document);
  } catch (e) {
    throw view.error((e as Error).message, undefined, e);
  }
  return { kind: 'insert', route, id, document, wire };
}

function tombstoneId(view: RecordView, route: RethinkRoute): string {
  const pks = route.statement.primaryKeys;
  if (pks.length > 0) return joinKey(extractPrimaryKeysFromKey(view, pks).map((p) => p.value));
  const key = view.key();
  if (typeof key === 'string' || typeof key === 'number' || typeof key === 'bigint') return String(key);
  throw view.error(
    key === null || key === undefined
      ? 'the record is a tombstone without a key, so there is no document to delete'
      : 'the record is a tombstone and the statement has no PK, so its key must be the document id (a string or number), not a structure',
  );
}

/** PK values as the reference wrote them: each as text, several joined with `.`. */
function joinKey(values: readonly unknown[]): string {
  return values.map(keyText).join('.');
}
