import { Client } from 'cassandra-driver';
import { expect, it } from 'vitest';
import { outage, withPrivateInstance } from './private-outage.js';

it('cassandra private instance (512 MiB heap): a row written before the outage is there after it', async () => {
  await withPrivateInstance('cassandra', async (cassandra) => {
    const connect = async () => {
      const client = new Client({
        contactPoints: cassandra.info.contactPoints as string[],
        localDataCenter: cassandra.info.localDataCenter as string,
      });
      await client.connect();
      return client;
    };
    const before = await connect();
    await before.execute(
      "CREATE KEYSPACE private_it WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    );
    await before.execute('CREATE TABLE private_it.t (id text PRIMARY KEY, v int)');
    await before.execute("INSERT INTO private_it.t (id, v) VALUES ('k', 1)");
    await before.shutdown();

    await outage('cassandra', cassandra);
    const after = await connect();
    try {
      const row = (await after.execute("SELECT v FROM private_it.t WHERE id = 'k'")).first();
      expect(row?.get('v')).toBe(1);
    } finally {
      await after.shutdown();
    }
  });
}, 400_000);
