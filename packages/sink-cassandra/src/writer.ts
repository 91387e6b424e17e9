import cassandra from 'cassandra-driver';
import {
  FatalStoreException,
  chunk,
  groupBy,
  recordError,
  runLimited,
  type ConnectException,
  type DataException,
  type TaskLogger,
} from '@sluice/core/sink';
import { createTableCql, cqlTypeOf, deleteCql, insertCql, quote, tableName } from './cql.js';
import { CqlConversionError, cqlTypeName, matchName, toCqlValue, type CqlType } from './cql-values.js';
import { classify, describeDriverError } from './errors.js';
import type { ColumnValue, RowOperation } from './operations.js';
import type { TableRoute } from './routes.js';
import { consistencyOf } from './session.js';

// Executes row operations: each is bound to its table's columns (types from the table metadata,
// read once per table and task), rows of one partition key go together in unlogged batches of at most
// `maxBatchSize` (in record order, each with its own increasing write time, so the last record for a
// row wins), and different partitions run as separate statements, `maxConcurrent` at a time. A
// statement the server refuses for its values fails only its records (a batch so refused is replayed
// row by row to find them); an outage or an auth failure fails the whole write.

const { unset } = cassandra.types;

export interface TableInfo {
  readonly keyspace: string;
  readonly name: string;
  readonly columns: ReadonlyMap<string, CqlType>;
  readonly partitionKeys: readonly string[];
  readonly clusteringKeys: readonly string[];
}

export interface WriterOptions {
  readonly connectorName: string;
  readonly maxConcurrent: number;
  readonly maxBatchSize: number;
  readonly logger: TaskLogger;
}

/** An operation that can never be written; `index` is its position in the operations written. */
export interface RefusedOperation {
  readonly index: number;
  readonly error: DataException;
  /** 'driver' when Cassandra refused it, 'conversion' when its values did not convert (ignore.errors.mode). */
  readonly source: 'driver' | 'conversion';
}

interface Bound {
  readonly index: number;
  readonly op: RowOperation;
  readonly table: TableInfo;
  readonly query: string;
  readonly params: unknown[];
  readonly group: string;
  readonly consistency: number;
}

/** Strictly increasing microsecond write times from the wall clock. */
export class WriteClock {
  private last = 0n;
  next(): bigint {
    const now = BigInt(Date.now()) * 1000n;
    this.last = now > this.last ? now : this.last + 1n;
    return this.last;
  }
}

export class CassandraWriter {
  private readonly tables = new Map<string, Promise<TableInfo>>();
  private readonly clock = new WriteClock();
  private readonly queries = new Map<string, string>();

  constructor(
    private readonly client: cassandra.Client,
    private readonly options: WriterOptions,
  ) {}

  /** Writes everything; resolves with the operations that can never be written. Outages reject. */
  async write(ops: readonly RowOperation[]): Promise<RefusedOperation[]> {
    const refused: RefusedOperation[] = [];
    const bound: Bound[] = [];
    for (const [index, op] of ops.entries()) {
      const table = await this.table(op.route, op);
      try {
        bound.push(this.bind(index, op, table));
      } catch (e) {
        if (classify(e) !== 'data') throw e;
        refused.push({ index, error: this.recordError(op, e), source: 'conversion' });
      }
    }
    const jobs = [...groupBy(bound, (b) => b.group).values()].map((list) => async () => {
      const bad: RefusedOperation[] = [];
      for (const batch of chunk(list, this.options.maxBatchSize)) bad.push(...(await this.execute(batch)));
      return bad;
    });
    for (const bad of await runLimited(jobs, this.options.maxConcurrent)) refused.push(...bad);
    return refused;
  }

  private async execute(batch: readonly Bound[]): Promise<RefusedOperation[]> {
    try {
      if (batch.length === 1) {
        const [one] = batch as [Bound];
        await this.client.execute(one.query, one.params, {
          prepare: true,
          isIdempotent: true,
          consistency: one.consistency,
        });
      } else {
        await this.client.batch(
          batch.map((b) => ({ query: b.query, params: b.params })),
          { prepare: true, logged: false, isIdempotent: true, consistency: batch[0]!.consistency },
        );
      }
      return [];
    } catch (e) {
      if (classify(e) !== 'data') throw e;
      if (batch.length === 1)
        return [{ index: batch[0]!.index, error: this.recordError(batch[0]!.op, e), source: 'driver' }];
      // Which rows of the batch are bad: replay them one by one, in order.
      const bad: RefusedOperation[] = [];
      for (const one of batch) bad.push(...(await this.execute([one])));
      return bad;
    }
  }

  private recordError(op: RowOperation, e: unknown): DataException {
    const where = `${op.route.keyspace}.${op.route.table}`;
    const why =
      e instanceof CqlConversionError ? e.message : `Cassandra refused the write: ${describeDriverError(e)}`;
    return recordError(
      op.record,
      { connectorName: this.options.connectorName },
      `writing to ${where}: ${why}`,
      undefined,
      e,
    );
  }

  /** The statement and values of one operation; throws CqlConversionError naming the column. */
  private bind(index: number, op: RowOperation, table: TableInfo): Bound {
    const consistency = consistencyOf(op.route.consistency);
    const names = [...table.columns.keys()];
    const keyColumns = [...table.partitionKeys, ...table.clusteringKeys];
    if (op.kind === 'statement') {
      return {
        index,
        op,
        table,
        query: op.cql,
        params: bindLegacyDelete(op.cql, op.values, table),
        group: `stmt|${op.cql}|${op.record.kafkaOffset}`,
        consistency,
      };
    }
    const values = new Map<string, unknown>();
    for (const c of op.columns) {
      const name = resolveColumn(c, names, table);
      values.set(name, convert(c, name, table));
    }
    for (const key of keyColumns) {
      const v = values.get(key);
      if (op.kind === 'delete' && v === undefined) {
        throw new CqlConversionError(
          `a tombstone deletes by primary key, but no _key or _header column of the KCQL maps primary key column ${key} ` +
            `(primary key: ${keyColumns.join(', ')})`,
        );
      }
      if (v === null || v === undefined)
        throw new CqlConversionError(`primary key column ${quote(key)} has no value (null or missing)`);
    }
    const group = `${table.keyspace}.${table.name}|${table.partitionKeys.map((k) => keyText(values.get(k))).join('|')}`;
    if (op.kind === 'delete') {
      const params = [this.clock.next(), ...keyColumns.map((k) => values.get(k))];
      return {
        index,
        op,
        table,
        query: deleteCql(table.keyspace, table.name, keyColumns),
        params,
        group,
        consistency,
      };
    }
    const columns = [...values.keys()];
    const params: unknown[] = columns.map((name) => {
      const v = values.get(name);
      return v === null && op.route.nullToUnset ? unset : v;
    });
    const withTtl = op.ttl !== undefined;
    if (withTtl) params.push(op.ttl);
    params.push(op.timestamp ?? this.clock.next());
    return {
      index,
      op,
      table,
      query: this.insertQuery(table, columns, withTtl),
      params,
      group,
      consistency,
    };
  }

  /** The INSERT text of a table and column set, built once (the driver prepares it once per text). */
  private insertQuery(table: TableInfo, columns: readonly string[], withTtl: boolean): string {
    const id = `${table.keyspace}.${table.name}|${withTtl}|${columns.join('\u0000')}`;
    let query = this.queries.get(id);
    if (query === undefined) {
      query = insertCql(table.keyspace, table.name, columns, withTtl);
      this.queries.set(id, query);
    }
    return query;
  }

  /** The table of a route, from the cluster's metadata (created first under AUTOCREATE). */
  private table(route: TableRoute, op: RowOperation): Promise<TableInfo> {
    const id = `${route.keyspace}.${route.table}`;
    let info = this.tables.get(id);
    if (!info) {
      info = this.loadTable(route, op);
      this.tables.set(id, info);
      info.catch(() => this.tables.delete(id));
    }
    return info;
  }

  private async loadTable(route: TableRoute, op: RowOperation): Promise<TableInfo> {
    let meta = await this.findTable(route);
    if (!meta && route.autoCreate) {
      await this.createTable(route, op);
      meta = await this.findTable(route);
    }
    if (!meta) {
      throw new FatalStoreException(
        `Connector ${this.options.connectorName}: table ${route.keyspace}.${route.table} does not exist` +
          (route.autoCreate ? '' : ' (create it, or add AUTOCREATE and PK to the KCQL)'),
      );
    }
    const info: TableInfo = {
      keyspace: meta.keyspace,
      name: meta.name,
      columns: new Map(meta.columns.map((c) => [c.name, c.type as CqlType])),
      partitionKeys: meta.partitionKeys.map((c) => c.name),
      clusteringKeys: meta.clusteringKeys.map((c) => c.name),
    };
    // A KCQL column the table lacks is a configuration error every record would hit.
    for (const m of route.mappings) {
      if (matchName(m.column, [...info.columns.keys()]) === undefined) {
        throw new FatalStoreException(
          `Connector ${this.options.connectorName}: the KCQL maps ${m.source.label} to column ${m.column}, ` +
            `which ${info.keyspace}.${info.name} does not have (columns: ${[...info.columns.keys()].join(', ')})`,
        );
      }
    }
    return info;
  }

  private async findTable(route: TableRoute): Promise<{
    keyspace: string;
    name: string;
    columns: cassandra.metadata.ColumnInfo[];
    partitionKeys: cassandra.metadata.ColumnInfo[];
    clusteringKeys: cassandra.metadata.ColumnInfo[];
  } | null> {
    // Names as written first; then the only one differing by case (unquoted CQL names are lower case).
    const keyspaces = (
      await this.client.execute('SELECT keyspace_name FROM system_schema.keyspaces')
    ).rows.map((r) => String(r.get('keyspace_name')));
    const keyspace = matchName(route.keyspace, keyspaces);
    if (keyspace === undefined) {
      throw new FatalStoreException(
        `Connector ${this.options.connectorName}: keyspace ${route.keyspace} does not exist (create it first)`,
      );
    }
    const tables = (
      await this.client.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [
        keyspace,
      ])
    ).rows.map((r) => String(r.get('table_name')));
    const name = matchName(route.table, tables);
    if (name === undefined) return null;
    const meta = await this.client.metadata.getTable(keyspace, name);
    if (!meta) return null;
    return {
      keyspace,
      name,
      columns: meta.columns,
      partitionKeys: meta.partitionKeys,
      clusteringKeys: meta.clusteringKeys,
    };
  }

  private async createTable(route: TableRoute, op: RowOperation): Promise<void> {
    const schema = op.record.valueSchema;
    if (op.kind !== 'upsert' || !schema || schema.type !== 'STRUCT') {
      throw new FatalStoreException(
        `Connector ${this.options.connectorName}: AUTOCREATE of ${route.keyspace}.${route.table} needs records with a schema ` +
          `(Avro, or JSON with schemas.enable=true); the first record (topic ${op.record.topic} partition ${op.record.kafkaPartition} ` +
          `offset ${op.record.kafkaOffset}) has ${schema ? `a ${schema.type} schema` : 'none'}. Create the table yourself for schemaless JSON.`,
      );
    }
    const fields = schema.fields();
    const columns = op.columns.map((c) => {
      const field = fields.find((f) => f.name === c.label.split('.').at(-1));
      if (!field)
        throw new FatalStoreException(
          `AUTOCREATE: cannot tell the type of column ${c.column} from the record schema`,
        );
      try {
        return { name: c.column, type: cqlTypeOf(field.schema, `field ${c.label}`) };
      } catch (e) {
        throw new FatalStoreException(
          `Connector ${this.options.connectorName}: ${(e as ConnectException).message}`,
        );
      }
    });
    for (const pk of route.primaryKeys)
      if (!columns.some((c) => c.name === pk))
        throw new FatalStoreException(`AUTOCREATE: the PK field ${pk} is not among the selected columns`);
    const cql = createTableCql(route.keyspace, route.table, columns, route.primaryKeys);
    await this.client.execute(cql);
    this.options.logger.info(
      `Connector ${this.options.connectorName}: created table ${tableName(route.keyspace, route.table)}: ${cql}`,
    );
  }
}

/** The table column a value goes to; throws for a field without a column. */
function resolveColumn(c: ColumnValue, names: readonly string[], table: TableInfo): string {
  const name = matchName(c.column, names);
  if (name !== undefined) return name;
  throw new CqlConversionError(
    `the record's field ${c.label} has no column in ${table.keyspace}.${table.name} (columns: ${names.join(', ')}); select the fields to write instead of *`,
  );
}

function convert(c: ColumnValue, name: string, table: TableInfo): unknown {
  const type = table.columns.get(name)!;
  try {
    return toCqlValue(c.value, type);
  } catch (e) {
    if (e instanceof CqlConversionError)
      throw new CqlConversionError(
        `column ${quote(name)} (${cqlTypeName(type)}) from ${c.label}: ${e.message}`,
      );
    throw e;
  }
}

function keyText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (value instanceof Date) return String(value.getTime());
  return String(value);
}

/** Legacy delete statement: `… WHERE a = ? AND b = ?`; values converted by those columns' types. */
function bindLegacyDelete(cql: string, values: readonly unknown[], table: TableInfo): unknown[] {
  const columns = [...cql.matchAll(/("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)\s*(?:=|<|>|<=|>=)\s*\?/g)].map(
    (m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!.toLowerCase()),
  );
  return values.map((v, i) => {
    const name = columns[i] === undefined ? undefined : matchName(columns[i], [...table.columns.keys()]);
    if (name === undefined) return v;
    return convert(
      { column: name, value: v, label: `delete.struct_flds[${i}]`, expanded: false },
      name,
      table,
    );
  });
}
