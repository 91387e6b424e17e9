import { randomUUID } from 'node:crypto';
import { Client } from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../src/index.js';

describe('cassandra service', () => {
  let client: Client;
  const keyspace = `smoke_${randomUUID().replaceAll('-', '')}`;

  beforeAll(async () => {
    const { cassandra } = await ensureServices(['cassandra']);
    client = new Client({
      contactPoints: cassandra.contactPoints as string[],
      localDataCenter: cassandra.localDataCenter as string,
    });
    await client.connect();
  });

  afterAll(async () => {
    await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await client?.shutdown();
  });

  it('reports a 5.0 release', async () => {
    const rs = await client.execute('SELECT release_version FROM system.local');
    expect(rs.first().get('release_version')).toMatch(/^5\.0\./);
  });

  it('creates a keyspace and table, inserts a row and selects it back', async () => {
    await client.execute(
      `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await client.execute(`CREATE TABLE ${keyspace}.readings (id text PRIMARY KEY, value int, at timestamp)`);
    const at = new Date('2024-05-06T07:08:09.010Z');
    await client.execute(
      `INSERT INTO ${keyspace}.readings (id, value, at) VALUES (?, ?, ?)`,
      ['r1', 42, at],
      {
        prepare: true,
      },
    );
    const rs = await client.execute(`SELECT id, value, at FROM ${keyspace}.readings WHERE id = ?`, ['r1'], {
      prepare: true,
    });
    expect(rs.rows.map((r) => [r.get('id'), r.get('value'), r.get('at')])).toEqual([['r1', 42, at]]);
  });
});
