import r from 'rethinkdb';
import {
  DataException,
  FatalStoreException,
  type ErrorClass,
  type ItemFailure,
  type SinkRuntime,
} from '@sluice/core/sink';
import type { RethinkSettings } from './config.js';
import type { Document, RethinkOperation, RethinkRoute } from './documents.js';
import { wireArray, wireTerm } from './wire.js';

// The RethinkDB side of the sink: one driver connection (re-opened after the server went away), the
// tables checked or created on first use, and writes whose outcome is known record by record. An insert
// answers only with counts and the *first* error, so a batch that had errors is resolved item by item:
// for INSERT (conflict "error") by reading the documents back — the same document already there is a
// replay, a different one is a conflicting record — and otherwise by writing the failed batch's
// documents one at a time.

type Connection = r.Connection & { open?: boolean };

interface InsertResult {
  inserted: number;
  replaced: number;
  unchanged: number;
  errors: number;
  first_error?: string;
}

const CONNECT_TIMEOUT_S = 10;

export class RethinkStore {
  private connection: Promise<Connection> | null = null;
  /** Tables known to exist, by name, for this connection. */
  private readonly tables = new Map<string, Promise<void>>();

  constructor(
    private readonly settings: RethinkSettings,
    private readonly runtime: SinkRuntime,
  ) {}

  /** The open connection, or a new one when there is none or the server dropped it. */
  async connect(): Promise<Connection> {
    const current = this.connection ? await this.connection.catch(() => null) : null;
    if (current?.open) return current;
    this.tables.clear();
    const s = this.settings;
    const options: r.ConnectionOptions & Record<string, unknown> = {
      host: s.host,
      port: s.port,
      // No default database: every query names it, and it may not exist yet (AUTOCREATE).
      timeout: CONNECT_TIMEOUT_S,
    };
    if (s.authKey !== '') options['authKey'] = s.authKey;
    else {
      if (s.user !== '') options['user'] = s.user;
      if (s.password !== '') options['password'] = s.password;
    }
    if (s.ca !== null) options['ssl'] = { ca: s.ca };
    this.connection = r.connect(options) as Promise<Connection>;
    const opened = await this.connection;
    this.runtime.logger.info(
      `Connector ${this.runtime.connectorName}: connected to RethinkDB at ${s.host}:${s.port}${s.ca ? ' over TLS' : ''}, database ${s.database}`,
    );
    return opened;
  }

  async close(): Promise<void> {
    const current = this.connection ? await this.connection.catch(() => null) : null;
    this.connection = null;
    await current?.close().catch(() => undefined);
  }

  /** Writes operations of one table in their order: runs of inserts as one query each, runs of deletes likewise. */
  async write(operations: readonly RethinkOperation[]): Promise<ItemFailure[]> {
    const failures: ItemFailure[] = [];
    let start = 0;
    while (start < operations.length) {
      let end = start + 1;
      while (end < operations.length && operations[end]!.kind === operations[start]!.kind) end++;
      const run = operations.slice(start, end);
      const runFailures =
        run[0]!.kind === 'insert' ? await this.insert(run as InsertOp[]) : await this.delete(run);
      for (const f of runFailures) failures.push({ index: start + f.index, error: f.error });
      start = end;
    }
    return failures;
  }

  private async insert(ops: readonly InsertOp[]): Promise<ItemFailure[]> {
    const route = ops[0]!.route;
    const conn = await this.ready(route);
    // One insert term per batch, its documents already in wire form (wire.ts): nothing per document
    // goes through r.expr.
    const result = (await this.table(route)
      .insert(wireArray(ops.map((o) => o.wire)), {
        conflict: route.conflict,
        durability: this.settings.durability,
        returnChanges: false,
      } as never)
      .run(conn)) as unknown as InsertResult;
    if (result.errors === 0) return [];
    return route.conflict === 'error' ? this.resolveInsertConflicts(conn, ops) : this.oneByOne(conn, ops);
  }

  /** After an INSERT batch with errors: the same document stored is fine (a replay), another one is a conflict. */
  private async resolveInsertConflicts(conn: Connection, ops: readonly InsertOp[]): Promise<ItemFailure[]> {
    const route = ops[0]!.route;
    const stored = new Map<string, Document>();
    const cursor = await (this.table(route).getAll as (...keys: unknown[]) => r.Sequence)(
      ...new Set(ops.map((o) => o.id)),
    ).run(conn);
    for (const doc of (await cursor.toArray()) as Document[]) stored.set(String(doc[route.primaryKey]), doc);
    const failures: ItemFailure[] = [];
    const missing: { index: number; op: InsertOp }[] = [];
    ops.forEach((op, index) => {
      const existing = stored.get(op.id);
      if (existing === undefined) missing.push({ index, op });
      else if (!sameDocument(existing, op.document)) {
        failures.push({
          index,
          error: new DataException(
            `table ${route.table} already holds a different document with ${route.primaryKey} ${JSON.stringify(op.id)}; ` +
              'INSERT never overwrites (use UPSERT to replace or update documents)',
          ),
        });
      }
    });
    // Not there at all: refused for another reason, which writing it alone tells.
    const alone = await this.oneByOne(
      conn,
      missing.map((m) => m.op),
    );
    for (const f of alone) failures.push({ index: missing[f.index]!.index, error: f.error });
    return failures;
  }

  private async oneByOne(conn: Connection, ops: readonly InsertOp[]): Promise<ItemFailure[]> {
    const failures: ItemFailure[] = [];
    for (const [index, op] of ops.entries()) {
      try {
        const result = (await this.table(op.route)
          .insert(wireTerm(op.wire), {
            conflict: op.route.conflict,
            durability: this.settings.durability,
            returnChanges: false,
          } as never)
          .run(conn)) as unknown as InsertResult;
        if (result.errors > 0) {
          failures.push({
            index,
            error: new DataException(`RethinkDB refused the document: ${result.first_error}`),
          });
        }
      } catch (e) {
        if (classifyRethinkError(e) !== 'data') throw e;
        failures.push({ index, error: e });
      }
    }
    return failures;
  }

  private async delete(ops: readonly RethinkOperation[]): Promise<ItemFailure[]> {
    const route = ops[0]!.route;
    const conn = await this.ready(route);
    // Deleting what is already gone is fine: a replayed tombstone finds nothing ("skipped").
    await (this.table(route).getAll as (...keys: unknown[]) => r.Sequence)(...ops.map((o) => o.id))
      .delete({ durability: this.settings.durability } as never)
      .run(conn);
    return [];
  }

  private table(route: RethinkRoute): r.Table {
    return r.db(this.settings.database).table(route.table);
  }

  /** The connection, once the route's table is known to exist with the primary key the route writes. */
  private async ready(route: RethinkRoute): Promise<Connection> {
    const conn = await this.connect();
    let checked = this.tables.get(route.table);
    if (!checked) {
      checked = this.checkTable(conn, route);
      this.tables.set(route.table, checked);
      checked.catch(() => this.tables.delete(route.table));
    }
    await checked;
    return conn;
  }

  private async checkTable(conn: Connection, route: RethinkRoute): Promise<void> {
    const db = this.settings.database;
    const dbs = (await r.dbList().run(conn)) as string[];
    if (!dbs.includes(db)) {
      if (!route.autoCreate) {
        throw new FatalStoreException(
          `database ${db} does not exist and statement INTO ${route.table} is not set for AUTOCREATE`,
        );
      }
      await ignoreExists(r.dbCreate(db).run(conn));
    }
    const tables = (await r.db(db).tableList().run(conn)) as string[];
    if (!tables.includes(route.table)) {
      if (!route.autoCreate) {
        throw new FatalStoreException(
          `No table called ${route.table} found in database ${db} and it's not set for AUTOCREATE`,
        );
      }
      await ignoreExists(
        r
          .db(db)
          .tableCreate(route.table, { primaryKey: route.primaryKey } as never)
          .run(conn),
      );
      this.runtime.logger.info(
        `Connector ${this.runtime.connectorName}: created table ${db}.${route.table} with primary key ${route.primaryKey}`,
      );
      return;
    }
    const info = (await (r.db(db).table(route.table) as unknown as { info(): r.Operation<unknown> })
      .info()
      .run(conn)) as { primary_key: string };
    if (info.primary_key !== route.primaryKey) {
      // Writing anyway would let RethinkDB generate keys: every replay would duplicate.
      throw new FatalStoreException(
        `table ${db}.${route.table} has primary key ${info.primary_key}, but statement INTO ${route.table} ` +
          `writes its key to ${route.primaryKey} (${route.statement.primaryKeys.length === 0 ? 'no PK: the id is <topic>-<partition>-<offset>' : `PK ${route.statement.primaryKeys.map((p) => p.alias).join(', ')}`}); ` +
          'change the PK clause or the table',
      );
    }
  }
}

type InsertOp = Extract<RethinkOperation, { kind: 'insert' }>;

async function ignoreExists(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    // Another task created it first.
    if (!/already exists/.test((e as Error).message)) throw e;
  }
}

/**
 * Driver errors → the kit's classes. Connection trouble, timeouts and unavailable replicas are
 * transient; authentication, permissions and a missing database or table are fatal; a query the server
 * refuses for its data (logic, non-existence, resource limit) is the record's.
 */
export function classifyRethinkError(error: unknown): ErrorClass | undefined {
  const name = (error as { name?: string })?.name ?? '';
  switch (name) {
    case 'ReqlAuthError':
    case 'ReqlPermissionError':
      return 'fatal';
    case 'ReqlOpFailedError':
      return /does not exist/.test((error as Error).message) ? 'fatal' : 'transient';
    case 'ReqlDriverError':
    case 'ReqlTimeoutError':
    case 'ReqlAvailabilityError':
    case 'ReqlOpIndeterminateError':
    case 'ReqlInternalError':
      return 'transient';
    case 'ReqlQueryLogicError':
    case 'ReqlNonExistenceError':
    case 'ReqlResourceLimitError':
    case 'ReqlUserError':
      return 'data';
  }
  const code = (error as { code?: string })?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT')
    return 'transient';
  return undefined;
}

/** Whether a stored document is the one we would write (TIME and BINARY come back as Date and Buffer). */
export function sameDocument(stored: unknown, written: unknown): boolean {
  if (written instanceof Date) return stored instanceof Date && stored.getTime() === written.getTime();
  if (Buffer.isBuffer(written)) return Buffer.isBuffer(stored) && stored.equals(written);
  if (Array.isArray(written)) {
    return (
      Array.isArray(stored) &&
      stored.length === written.length &&
      written.every((w, i) => sameDocument(stored[i], w))
    );
  }
  if (typeof written === 'object' && written !== null) {
    if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return false;
    const a = Object.keys(written);
    const b = Object.keys(stored);
    return (
      a.length === b.length && a.every((k) => sameDocument((stored as Document)[k], (written as Document)[k]))
    );
  }
  return stored === written;
}
