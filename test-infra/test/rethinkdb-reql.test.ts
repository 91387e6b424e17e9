import r from 'rethinkdb';
import { describe, expect, it } from 'vitest';
import { Catalog } from '../src/rethinkdb-server/catalog.js';
import { ReqlError } from '../src/rethinkdb-server/datum.js';
import { runQuery, toDatum, type Term } from '../src/rethinkdb-server/reql.js';

// The test double's ReQL evaluator, fed the terms the official JavaScript driver builds (`term.build()`
// is exactly what the driver puts on the wire), answered as RethinkDB 2.4 documents its results:
// https://rethinkdb.com/api/javascript/ (insert, delete, table_create, db_create, info, get_all).

// @types/rethinkdb does not declare `build()`, which every driver term has at run time.
const built = (query: unknown) => (query as { build(): unknown }).build() as Term;
const run = (catalog: Catalog, query: unknown, globals: Record<string, Term> = {}) =>
  toDatum(runQuery(catalog, built(query), globals));

function fresh(): Catalog {
  const catalog = new Catalog();
  run(catalog, r.dbCreate('d'));
  run(catalog, r.db('d').tableCreate('t'));
  return catalog;
}

const counters = { deleted: 0, errors: 0, inserted: 0, replaced: 0, skipped: 0, unchanged: 0 };

describe('RethinkDB test double: ReQL as the driver sends it', () => {
  it('db_create and table_create answer with their counters and config changes', () => {
    const catalog = new Catalog();
    expect(run(catalog, r.dbCreate('d'))).toMatchObject({
      dbs_created: 1,
      config_changes: [{ old_val: null, new_val: { name: 'd' } }],
    });
    expect(run(catalog, r.db('d').tableCreate('t', { primaryKey: 'sku' } as never))).toMatchObject({
      tables_created: 1,
      config_changes: [{ old_val: null, new_val: { name: 't', db: 'd', primary_key: 'sku' } }],
    });
    expect(run(catalog, r.dbList())).toContain('d');
    expect(run(catalog, r.db('d').tableList())).toEqual(['t']);
    expect(() => run(catalog, r.dbCreate('d'))).toThrow('Database `d` already exists.');
  });

  it('insert with conflict "error" counts a duplicate as an error with first_error, and inserts the rest', () => {
    const catalog = fresh();
    const table = r.db('d').table('t');
    expect(
      run(catalog, table.insert([{ id: 1, v: 'a' }], { durability: 'hard', returnChanges: false } as never)),
    ).toEqual({
      ...counters,
      inserted: 1,
    });
    const result = run(
      catalog,
      table.insert([
        { id: 1, v: 'b' },
        { id: 2, v: 'c' },
      ]),
    ) as Record<string, unknown>;
    expect(result).toMatchObject({ inserted: 1, errors: 1 });
    expect(result['first_error']).toMatch(/^Duplicate primary key `id`:/);
    expect(run(catalog, table.get(1 as never))).toEqual({ id: 1, v: 'a' });
  });

  it('insert with conflict "replace" and "update": replaced, unchanged, merged', () => {
    const catalog = fresh();
    const table = r.db('d').table('t');
    run(catalog, table.insert({ id: 1, a: 1, b: 1 }));
    expect(run(catalog, table.insert({ id: 1, a: 2 }, { conflict: 'replace' }))).toEqual({
      ...counters,
      replaced: 1,
    });
    expect(run(catalog, table.insert({ id: 1, a: 2 }, { conflict: 'replace' }))).toEqual({
      ...counters,
      unchanged: 1,
    });
    run(catalog, table.insert({ id: 2, a: 1, b: 1 }));
    run(catalog, table.insert({ id: 2, a: 3 }, { conflict: 'update' }));
    expect(run(catalog, table.get(1 as never))).toEqual({ id: 1, a: 2 });
    expect(run(catalog, table.get(2 as never))).toEqual({ id: 2, a: 3, b: 1 });
  });

  it('refuses a durability other than hard or soft, as the server does', () => {
    const catalog = fresh();
    expect(() =>
      run(
        catalog,
        r
          .db('d')
          .table('t')
          .insert({ id: 1 }, { durability: 'eventually' } as never),
      ),
    ).toThrow(/Durability option `eventually` unrecognized/);
  });

  it('get_all(...).delete() deletes what exists and skips nothing else; get().delete() of a missing row skips it', () => {
    const catalog = fresh();
    const table = r.db('d').table('t');
    run(catalog, table.insert([{ id: 'a' }, { id: 'b' }, { id: 'c' }]));
    const getAll = table.getAll as unknown as (...keys: string[]) => r.Sequence;
    expect(run(catalog, getAll.call(table, 'a', 'b', 'zz').delete({ durability: 'soft' } as never))).toEqual({
      ...counters,
      deleted: 2,
    });
    expect(run(catalog, table.get('zz').delete())).toEqual({ ...counters, skipped: 1 });
    expect(run(catalog, table.count())).toBe(1);
  });

  it('info() of a table gives its primary key and database', () => {
    const catalog = fresh();
    run(catalog, r.db('d').tableCreate('s', { primaryKey: 'sku' } as never));
    expect(
      run(catalog, (r.db('d').table('s') as unknown as { info(): { build(): unknown } }).info()),
    ).toMatchObject({
      type: 'TABLE',
      name: 's',
      primary_key: 'sku',
      db: { name: 'd', type: 'DB' },
    });
  });

  it('times and binaries are kept as pseudo-types', () => {
    const catalog = fresh();
    const table = r.db('d').table('t');
    run(catalog, table.insert({ id: 1, at: new Date(1_000), raw: Buffer.from([1, 2]) }));
    expect(run(catalog, table.get(1 as never))).toEqual({
      id: 1,
      at: { $reql_type$: 'TIME', epoch_time: 1, timezone: '+00:00' },
      raw: { $reql_type$: 'BINARY', data: 'AQI=' },
    });
  });

  it('nested objects and arrays are stored as plain data, __proto__ fields included', () => {
    const catalog = fresh();
    const table = r.db('d').table('t');
    const doc = { id: 1, o: { a: [1, [2, { b: [3] }]], c: { d: 'x' } }, list: [{ e: [4] }], f: {} };
    run(catalog, table.insert(doc));
    expect(run(catalog, table.get(1 as never))).toEqual(doc);
    // The wire form the RethinkDB sink sends for a field named __proto__ (the driver cannot express it).
    const query = JSON.parse('[56,[[15,[[14,["d"]],"t"]],{"id":2,"__proto__":{"x":[2,[1]]}}]]') as Term;
    toDatum(runQuery(catalog, query, {}));
    const stored = run(catalog, table.get(2 as never)) as Record<string, unknown>;
    expect(Object.keys(stored)).toEqual(['id', '__proto__']);
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(JSON.stringify(stored)).toBe('{"id":2,"__proto__":{"x":[1]}}');
  });

  it("a connection's default database is looked up only when a query uses it", () => {
    const catalog = new Catalog();
    const globals = { db: built(r.db('later')) };
    expect(run(catalog, r.dbCreate('later'), globals)).toMatchObject({ dbs_created: 1 });
    expect(() => run(new Catalog(), r.table('t'), globals)).toThrow('Database `later` does not exist.');
  });

  it('an unknown term fails loudly, naming it', () => {
    const catalog = fresh();
    let error: unknown;
    try {
      run(catalog, r.db('d').table('t').orderBy('id'));
    } catch (e) {
      error = e;
    }
    expect(error).not.toBeInstanceOf(ReqlError);
    expect((error as Error).message).toMatch(/does not implement ReQL term/);
  });
});
