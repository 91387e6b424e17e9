import { randomUUID } from 'node:crypto';
import r from 'rethinkdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../src/index.js';

// Against the RethinkDB test double unless a real `rethinkdb` is on PATH: every expectation here is
// what a real RethinkDB 2.4 answers, so the same file checks the double against the real thing.
describe('rethinkdb service', () => {
  let host: string;
  let port: number;
  let testDouble: boolean;
  let conn: r.Connection;
  const db = `smoke_${randomUUID().replaceAll('-', '')}`;

  beforeAll(async () => {
    const { rethinkdb } = await ensureServices(['rethinkdb']);
    host = rethinkdb.host;
    port = rethinkdb.port;
    testDouble = rethinkdb.testDouble === true;
    conn = await r.connect({ host, port, user: 'admin', password: '' });
    await r.dbCreate(db).run(conn);
  });

  afterAll(async () => {
    if (conn) {
      await r.dbDrop(db).run(conn);
      await conn.close();
    }
  });

  it('authenticates with SCRAM-SHA-256 and rejects a wrong password', async () => {
    await expect(r.connect({ host, port, user: 'admin', password: 'not-the-password' })).rejects.toThrow(
      /Wrong password/,
    );
  });

  it('creates, lists and drops tables', async () => {
    expect(await r.dbList().run(conn)).toContain(db);
    await r.db(db).tableCreate('t_list').run(conn);
    expect(await r.db(db).tableList().run(conn)).toEqual(['t_list']);
    await expect(r.db(db).tableCreate('t_list').run(conn)).rejects.toThrow(
      `Table \`${db}.t_list\` already exists`,
    );
    await r.db(db).tableDrop('t_list').run(conn);
    expect(await r.db(db).tableList().run(conn)).toEqual([]);
  });

  it('inserts and gets a document by its primary key', async () => {
    await r.db(db).tableCreate('readings', { primary_key: 'sensor' }).run(conn);
    const at = new Date('2024-05-06T07:08:09.010Z');
    const result = await r.db(db).table('readings').insert({ sensor: 's1', value: 21.5, at }).run(conn);
    expect(result).toMatchObject({ inserted: 1, errors: 0 });
    expect(await r.db(db).table('readings').get('s1').run(conn)).toEqual({ sensor: 's1', value: 21.5, at });
    expect(await r.db(db).table('readings').get('nope').run(conn)).toBeNull();
  });

  it('applies the error, replace and update conflict modes', async () => {
    const table = r.db(db).table('conflicts');
    await r.db(db).tableCreate('conflicts').run(conn);
    await table.insert({ id: 'k1', a: 1, nested: { x: 1 } }).run(conn);

    const rejected = await table.insert({ id: 'k1', b: 2 }).run(conn);
    expect(rejected).toMatchObject({ inserted: 0, errors: 1 });
    expect(rejected.first_error).toMatch(/^Duplicate primary key `id`/);

    await table.insert({ id: 'k1', b: 2, nested: { y: 2 } }, { conflict: 'update' }).run(conn);
    expect(await table.get('k1').run(conn)).toEqual({ id: 'k1', a: 1, b: 2, nested: { x: 1, y: 2 } });

    expect(await table.insert({ id: 'k1', c: 3 }, { conflict: 'replace' }).run(conn)).toMatchObject({
      replaced: 1,
    });
    expect(await table.get('k1').run(conn)).toEqual({ id: 'k1', c: 3 });
    expect(await table.insert({ id: 'k1', c: 3 }, { conflict: 'replace' }).run(conn)).toMatchObject({
      unchanged: 1,
    });
  });

  it('generates a primary key when the document has none', async () => {
    await r.db(db).tableCreate('generated').run(conn);
    const result = await r.db(db).table('generated').insert({ v: 1 }).run(conn);
    expect(result.generated_keys).toHaveLength(1);
    expect(await r.db(db).table('generated').get(result.generated_keys[0]!).run(conn)).toEqual({
      id: result.generated_keys[0],
      v: 1,
    });
  });

  it('selects with getAll and filter, counts and deletes', async () => {
    const table = r.db(db).table('rows');
    await r.db(db).tableCreate('rows').run(conn);
    await table.insert([1, 2, 3, 4].map((n) => ({ id: `r${n}`, n, even: n % 2 === 0 }))).run(conn);

    const ids = async (query: r.Sequence) =>
      ((await (await query.run(conn)).toArray()) as { id: string }[]).map((d) => d.id).sort();
    expect(await ids(table.getAll('r2', 'r4', 'r9'))).toEqual(['r2', 'r4']);
    expect(await ids(table.filter({ even: true }))).toEqual(['r2', 'r4']);
    expect(await ids(table.filter((row) => row('n').gt(2)))).toEqual(['r3', 'r4']);
    expect(await ids(table.filter(r.row('id').eq('r1')))).toEqual(['r1']);
    expect(await table.count().run(conn)).toBe(4);
    expect(await table.filter({ even: false }).count().run(conn)).toBe(2);

    expect(await table.get('r1').delete().run(conn)).toMatchObject({ deleted: 1 });
    expect(await table.filter({ even: true }).delete().run(conn)).toMatchObject({ deleted: 2 });
    expect(await ids(table)).toEqual(['r3']);
  });

  it('answers ReQL beyond the test double with a compile error that names the term', async () => {
    await r.db(db).tableCreate('ordered').run(conn);
    const query = r.db(db).table('ordered').orderBy('id');
    if (testDouble) await expect(query.run(conn)).rejects.toThrow(/does not implement ReQL term #41/);
    else expect(await query.run(conn)).toEqual([]);
  });
});
