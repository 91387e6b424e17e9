import { randomUUID } from 'node:crypto';
import { type Document, ReqlError } from './datum.js';
import { ErrorType } from './protocol.js';

// The databases and tables of the test server, in memory. With a data file (a private test-infra
// instance) they are saved there when the server stops and loaded when it starts again.

export interface Table {
  id: string;
  db: string;
  name: string;
  primaryKey: string;
  /** Documents by primary key (see primaryKeyOf), in insertion order. */
  rows: Map<string, Document>;
}

interface Database {
  id: string;
  tables: Map<string, Table>;
}

const NAME = /^[A-Za-z0-9_-]+$/;

function checkName(kind: 'Database' | 'Table', name: string): void {
  if (!NAME.test(name)) {
    throw new ReqlError(
      ErrorType.QUERY_LOGIC,
      `${kind} name \`${name}\` invalid (Use A-Z, a-z, 0-9, _ and - only).`,
    );
  }
}

const tableConfig = (t: Table) => ({
  db: t.db,
  durability: 'hard',
  id: t.id,
  indexes: [],
  name: t.name,
  primary_key: t.primaryKey,
  shards: [
    { nonvoting_replicas: [], primary_replica: 'sluice_test_double', replicas: ['sluice_test_double'] },
  ],
  write_acks: 'majority',
});

/** The catalog as JSON: databases by name, each table with its rows as [key, document] pairs. */
export interface CatalogSnapshot {
  dbs: { name: string; id: string; tables: (Omit<Table, 'rows'> & { rows: [string, Document][] })[] }[];
}

export class Catalog {
  private readonly dbs = new Map<string, Database>();

  constructor(snapshot?: CatalogSnapshot) {
    if (snapshot) {
      for (const db of snapshot.dbs) {
        const tables = db.tables.map((t): [string, Table] => [t.name, { ...t, rows: new Map(t.rows) }]);
        this.dbs.set(db.name, { id: db.id, tables: new Map(tables) });
      }
      return;
    }
    // A fresh RethinkDB server has a `test` database, and drivers default to it.
    this.dbs.set('test', { id: randomUUID(), tables: new Map() });
  }

  snapshot(): CatalogSnapshot {
    return {
      dbs: [...this.dbs].map(([name, db]) => ({
        name,
        id: db.id,
        tables: [...db.tables.values()].map((t) => ({ ...t, rows: [...t.rows] })),
      })),
    };
  }

  dbCreate(name: string) {
    checkName('Database', name);
    if (name === 'rethinkdb' || this.dbs.has(name)) {
      throw new ReqlError(ErrorType.OP_FAILED, `Database \`${name}\` already exists.`);
    }
    const id = randomUUID();
    this.dbs.set(name, { id, tables: new Map() });
    return { dbs_created: 1, config_changes: [{ old_val: null, new_val: { id, name } }] };
  }

  dbDrop(name: string) {
    const db = this.db(name);
    this.dbs.delete(name);
    return {
      dbs_dropped: 1,
      tables_dropped: db.tables.size,
      config_changes: [{ old_val: { id: db.id, name }, new_val: null }],
    };
  }

  dbList(): string[] {
    return [...this.dbs.keys()].sort();
  }

  tableCreate(dbName: string, name: string, primaryKey = 'id') {
    checkName('Table', name);
    const db = this.db(dbName);
    if (db.tables.has(name))
      throw new ReqlError(ErrorType.OP_FAILED, `Table \`${dbName}.${name}\` already exists.`);
    const table: Table = { id: randomUUID(), db: dbName, name, primaryKey, rows: new Map() };
    db.tables.set(name, table);
    return { tables_created: 1, config_changes: [{ old_val: null, new_val: tableConfig(table) }] };
  }

  tableDrop(dbName: string, name: string) {
    const table = this.table(dbName, name);
    this.db(dbName).tables.delete(name);
    return { tables_dropped: 1, config_changes: [{ old_val: tableConfig(table), new_val: null }] };
  }

  tableList(dbName: string): string[] {
    return [...this.db(dbName).tables.keys()].sort();
  }

  table(dbName: string, name: string): Table {
    const table = this.db(dbName).tables.get(name);
    if (!table) throw new ReqlError(ErrorType.OP_FAILED, `Table \`${dbName}.${name}\` does not exist.`);
    return table;
  }

  /** Fails like the real server when the database is missing. */
  dbId(name: string): string {
    return this.db(name).id;
  }

  db(name: string): Database {
    const db = this.dbs.get(name);
    if (!db) throw new ReqlError(ErrorType.OP_FAILED, `Database \`${name}\` does not exist.`);
    return db;
  }
}
