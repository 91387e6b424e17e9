import { RecordView, isStruct, type SinkRecord } from '@sluice/core/sink';
import { toMicros, type ColumnSource, type TableRoute } from './routes.js';

// One record + its route → the row to write, still as Connect values (pure: no server needed). The
// values are converted to CQL by the column types once the table's metadata is known (writer.ts).
// A value with fields writes the mapped columns; a tombstone (null value) becomes a delete carrying
// the columns its key and headers give (the writer checks they cover the primary key).

export interface ColumnValue {
  /** The target column as written in the KCQL (or the field name, for `*`). */
  readonly column: string;
  readonly value: unknown;
  /** Where it came from, for messages. */
  readonly label: string;
  /** From a `*` expansion: a field without a column is an error naming the field, not the KCQL. */
  readonly expanded: boolean;
}

export type RowOperation =
  | {
      readonly kind: 'upsert';
      readonly record: SinkRecord;
      readonly route: TableRoute;
      readonly columns: readonly ColumnValue[];
      /** Seconds; undefined: the table's default TTL. */
      readonly ttl?: number;
      /** Write time in microseconds; undefined: the writer's clock. */
      readonly timestamp?: bigint;
    }
  | {
      readonly kind: 'delete';
      readonly record: SinkRecord;
      readonly route: TableRoute;
      /** Columns the key and headers give, for the WHERE clause. */
      readonly columns: readonly ColumnValue[];
    }
  | {
      /** Legacy `delete.statement`, bound from the key. */
      readonly kind: 'statement';
      readonly record: SinkRecord;
      readonly route: TableRoute;
      readonly cql: string;
      readonly values: readonly unknown[];
    };

export interface PrepareOptions {
  readonly connectorName: string;
  readonly legacyDelete?: { readonly statement: string; readonly keyFields: readonly (readonly string[])[] };
}

export function prepareRow(
  record: SinkRecord,
  route: TableRoute,
  options: PrepareOptions,
): RowOperation | null {
  const view = new RecordView(record, { connectorName: options.connectorName });
  if (record.value === null || record.value === undefined) return tombstone(view, route, options);

  const columns: ColumnValue[] = [];
  for (const path of route.wildcards) {
    const container =
      path.length === 0 ? view.value() : read(view, { kind: 'value', path, label: path.join('.') });
    for (const [name, value] of entries(container))
      columns.push({ column: name, value, label: [...path, name].join('.'), expanded: true });
  }
  const nested = new Map<string, Record<string, unknown>>();
  for (const m of route.mappings) {
    const value = read(view, m.source);
    if (route.retainStructure && m.source.kind === 'value' && m.source.path.length > 1) {
      // WITHSTRUCTURE: `a.b.c` → column a = {b: {c: …}} (merged with other selections under a).
      const [top, ...rest] = m.source.path as [string, ...string[]];
      const root = nested.get(top) ?? {};
      nested.set(top, root);
      let node = root;
      for (const segment of rest.slice(0, -1)) node = (node[segment] ??= {}) as Record<string, unknown>;
      node[rest.at(-1)!] = value;
      continue;
    }
    columns.push({ column: m.column, value, label: m.source.label, expanded: false });
  }
  for (const [top, value] of nested) columns.push({ column: top, value, label: top, expanded: false });

  let ttl: number | undefined;
  if (route.ttl && 'seconds' in route.ttl) ttl = route.ttl.seconds;
  else if (route.ttl) {
    const raw = read(view, route.ttl.source);
    if (raw !== null && raw !== undefined) {
      const amount = integer(view, raw, route.ttl.source);
      ttl =
        route.ttl.unit === 'SECONDS' ? Number(amount) : Number(toMicros(amount, route.ttl.unit) / 1_000_000n);
      if (ttl < 0) throw view.error(`a TTL cannot be negative (${raw})`, route.ttl.source.label);
    }
  }
  let timestamp: bigint | undefined;
  if (route.timestamp) {
    const raw = read(view, route.timestamp.source);
    // A Connect Timestamp (a Date) is milliseconds whatever timestampTimeUnit says about numbers.
    if (raw instanceof Date) timestamp = toMicros(BigInt(raw.getTime()), 'MILLISECONDS');
    else if (raw !== null && raw !== undefined)
      timestamp = toMicros(integer(view, raw, route.timestamp.source), route.timestamp.unit);
  }
  return { kind: 'upsert', record, route, columns, ttl, timestamp };
}

function tombstone(view: RecordView, route: TableRoute, options: PrepareOptions): RowOperation | null {
  const record = view.record;
  if (options.legacyDelete) {
    const key = view.key();
    if (key === null || key === undefined)
      throw view.error(
        'a tombstone with a null key cannot be deleted: connect.cassandra.delete.statement binds the key',
      );
    const values =
      options.legacyDelete.keyFields.length === 0
        ? [key]
        : options.legacyDelete.keyFields.map((path) =>
            read(view, { kind: 'key', path, label: `_key.${path.join('.')}` }),
          );
    return { kind: 'statement', record, route, cql: options.legacyDelete.statement, values };
  }
  if (route.onNullValue === 'IGNORE') return null;
  const columns: ColumnValue[] = [];
  if (route.deletesEnabled && route.onNullValue === 'DELETE') {
    for (const m of route.mappings) {
      if (m.source.kind !== 'key' && m.source.kind !== 'header') continue;
      columns.push({ column: m.column, value: read(view, m.source), label: m.source.label, expanded: false });
    }
    return { kind: 'delete', record, route, columns };
  }
  throw view.error(
    route.deletesEnabled
      ? `the value is null (a tombstone) and PROPERTIES('behavior.on.null.values'='FAIL') is set for ${route.keyspace}.${route.table}`
      : `the value is null (a tombstone) and deletes are off for ${route.keyspace}.${route.table}; ` +
          "set PROPERTIES('deletesEnabled'='true') and map the primary key from _key fields, or filter tombstones out",
  );
}

/** The value at a column source; a missing field of a Struct is an error, missing keys of JSON are null. */
export function read(view: RecordView, source: ColumnSource): unknown {
  const record = view.record;
  switch (source.kind) {
    case 'topic':
      return record.topic;
    case 'partition':
      return record.kafkaPartition;
    case 'offset':
      return BigInt(record.kafkaOffset);
    case 'timestamp':
      return record.timestamp === null ? null : new Date(record.timestamp);
    case 'header': {
      const [name, ...rest] = source.path as [string, ...string[]];
      const header = [...record.headers].reverse().find((h) => h.key === name);
      return header ? walk(view, header.value, rest, source.label) : null;
    }
    case 'key':
      return walk(view, view.key(), source.path, source.label);
    case 'value':
      return walk(view, view.value(), source.path, source.label);
  }
}

function walk(view: RecordView, root: unknown, path: readonly string[], label: string): unknown {
  let node = root;
  for (const name of path) {
    if (node === null || node === undefined) return null;
    if (isStruct(node)) {
      const field = node.schema.fields().find((f) => f.name === name);
      if (!field)
        throw view.error(
          `the record has no field '${name}' (its fields: ${node.schema
            .fields()
            .map((f) => f.name)
            .join(', ')})`,
          label,
        );
      const value = node.get(name);
      node = field.schema?.type === 'INT64' && typeof value === 'number' ? BigInt(value) : value;
    } else if (node instanceof Map) {
      node = node.get(name);
    } else if (typeof node === 'object' && !Array.isArray(node) && !Buffer.isBuffer(node)) {
      node = Object.prototype.hasOwnProperty.call(node, name)
        ? (node as Record<string, unknown>)[name]
        : null;
    } else {
      throw view.error(`'${name}' is read from a ${typeof node}, which has no fields`, label);
    }
  }
  return node === undefined ? null : node;
}

function entries(container: unknown): [string, unknown][] {
  if (container === null || container === undefined) return [];
  if (isStruct(container)) {
    return container.schema.fields().map((f) => {
      const value = container.get(f.name);
      return [f.name, f.schema?.type === 'INT64' && typeof value === 'number' ? BigInt(value) : value];
    });
  }
  if (container instanceof Map) return [...container.entries()].map(([k, v]) => [String(k), v]);
  if (typeof container === 'object') return Object.entries(container as Record<string, unknown>);
  return [];
}

function integer(view: RecordView, raw: unknown, source: ColumnSource): bigint {
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return BigInt(Math.trunc(raw));
  if (typeof raw === 'string' && /^[+-]?\d+$/.test(raw.trim())) return BigInt(raw.trim());
  if (raw instanceof Date) return BigInt(raw.getTime());
  throw view.error(`expected a whole number, not ${typeof raw} '${String(raw)}'`, source.label);
}
