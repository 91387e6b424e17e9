import type { AddressInfo } from 'node:net';
import r from 'rethinkdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/rethinkdb-server/server.js';

// The test double's TCP side, in process, through the official driver: queries far larger than a
// socket read arrive in many chunks and several queries may share one.

describe('RethinkDB test double over TCP', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let conn: r.Connection;

  beforeAll(async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, adminPassword: '' });
    const { port } = server.address() as AddressInfo;
    conn = await r.connect({ host: '127.0.0.1', port });
    await r.dbCreate('d').run(conn);
    await r.db('d').tableCreate('t').run(conn);
  });

  afterAll(async () => {
    await conn?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('answers a 2 MB insert and the queries sent right behind it, in order', async () => {
    const docs = Array.from({ length: 2000 }, (_, i) => ({
      id: `k${i}`,
      n: i,
      tags: ['a', `b${i % 7}`],
      nested: { list: [i, [i + 1]], text: 'x'.repeat(1000) },
    }));
    const table = r.db('d').table('t');
    const [inserted, count, one] = await Promise.all([
      table.insert(docs).run(conn),
      table.count().run(conn),
      table.get('k1234').run(conn),
    ]);
    expect(inserted).toMatchObject({ inserted: 2000, errors: 0 });
    expect(count).toBe(2000);
    expect(one).toEqual(docs[1234]);
  });
});
