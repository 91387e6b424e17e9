import { kafkaTopic, runConnector, uniqueName, waitFor, type StandaloneWorker } from '@sluice/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cassandraConnector,
  count,
  rows,
  setUpCassandraIt,
  tearDownCassandraIt,
  tombstonesRead,
  type CassandraIt,
} from './harness.js';

// Delivery end to end: nulls left unset (no tombstones), upserts and replays, tombstones that delete,
// a poison record to the dead letter queue, and the 4A (legacy) and 4B configs on one table.

let env: CassandraIt;
let worker: StandaloneWorker | undefined;

beforeAll(async () => {
  env = await setUpCassandraIt();
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await tearDownCassandraIt(env);
});

const table = async (name: string, columns: string) => {
  await env.client.execute(`CREATE TABLE ${env.keyspace}.${name} (${columns})`);
  return `${env.keyspace}.${name}`;
};
const json = (v: object) => ({ value: JSON.stringify(v) });

describe('Cassandra sink delivery', () => {
  it('null fields are left unset by default (no tombstones, the column keeps its value); nullToUnset=false writes nulls', async () => {
    const unset = await table('unset_nulls', 'id int PRIMARY KEY, a text, b text');
    const nulls = await table('written_nulls', 'id int PRIMARY KEY, a text, b text');
    const t = await kafkaTopic(env, 'cass-nulls');
    await env.kafka.produce(t, [
      json({ id: 1, a: 'first', b: 'kept' }),
      json({ id: 1, a: 'second', b: null }),
    ]);
    worker = await runConnector(
      env,
      cassandraConnector(
        env,
        uniqueName('c'),
        t,
        `INSERT INTO ${unset} SELECT id, a, b FROM ${t}; ` +
          `INSERT INTO ${nulls} SELECT id, a, b FROM ${t} PROPERTIES('nullToUnset'='false')`,
      ),
    );
    const second = async (t: string) =>
      (await rows(env, `SELECT a FROM ${t} WHERE id = 1`))[0]?.get('a') === 'second';
    await waitFor(async () => (await second(unset)) && (await second(nulls)), {
      what: 'the second record in both tables',
    });

    const [kept] = await rows(env, `SELECT b FROM ${unset} WHERE id = 1`);
    expect(kept!.get('b')).toBe('kept');
    expect(await tombstonesRead(env, `SELECT * FROM ${unset} WHERE id = ?`, [1])).toBe(0);

    const [nulled] = await rows(env, `SELECT b FROM ${nulls} WHERE id = 1`);
    expect(nulled!.get('b')).toBeNull();
    // The same check sees the tombstone the null left: it can fail.
    expect(await tombstonesRead(env, `SELECT * FROM ${nulls} WHERE id = ?`, [1])).toBe(1);
  });

  it('inserts are upserts on the primary key: a replay leaves the same rows, the last record for a row wins', async () => {
    const target = await table('stock', 'item text, store int, qty int, PRIMARY KEY (item, store)');
    const t = await kafkaTopic(env, 'cass-upsert');
    const batch = [
      json({ item: 'a', store: 1, qty: 1 }),
      json({ item: 'a', store: 2, qty: 2 }),
      json({ item: 'a', store: 1, qty: 3 }),
      json({ item: 'b', store: 1, qty: 4 }),
      json({ item: 'a', store: 1, qty: 5 }),
    ];
    await env.kafka.produce(t, batch);
    const connector = cassandraConnector(env, uniqueName('c'), t, `INSERT INTO ${target} SELECT * FROM ${t}`);
    worker = await runConnector(env, connector);
    const qty = async () =>
      (await rows(env, `SELECT qty FROM ${target} WHERE item = 'a' AND store = 1`))[0]?.get('qty');
    await waitFor(async () => (await count(env, 'stock')) === 3 && (await qty()) === 5, {
      what: 'a/1 at its last quantity',
    });
    await env.kafka.produce(t, batch);
    await waitFor(async () => (await env.kafka.committedRecords(`connect-${connector.name}`, t)) >= 10, {
      what: 'the replay committed',
    });
    expect(await count(env, 'stock')).toBe(3);
    expect(await qty()).toBe(5);
  });

  it('a tombstone deletes the row its key names (the key maps every primary key column)', async () => {
    const target = await table('orders_by_key', 'id int, line int, product text, PRIMARY KEY (id, line)');
    const t = await kafkaTopic(env, 'cass-tombstone');
    const key = (id: number, line: number) => JSON.stringify({ id, line });
    await env.kafka.produce(t, [
      { key: key(1, 1), value: JSON.stringify({ product: 'p1' }) },
      { key: key(1, 2), value: JSON.stringify({ product: 'p2' }) },
    ]);
    worker = await runConnector(
      env,
      cassandraConnector(
        env,
        uniqueName('c'),
        t,
        `INSERT INTO ${target} SELECT _key.id AS id, _key.line AS line, product FROM ${t}`,
      ),
    );
    await waitFor(async () => (await count(env, 'orders_by_key')) === 2, { what: 'two order lines' });
    await env.kafka.produce(t, [{ key: key(1, 1), value: null }]);
    await waitFor(async () => (await count(env, 'orders_by_key')) === 1, {
      what: 'line 1 deleted by its tombstone',
    });
    const [left] = await rows(env, `SELECT * FROM ${target}`);
    expect([left!.get('id'), left!.get('line'), left!.get('product')]).toEqual([1, 2, 'p2']);
  });

  it('a poison record goes to the dead letter queue, named by column and types, while its neighbours arrive', async () => {
    const target = await table('poison', 'id int PRIMARY KEY, qty int');
    const t = await kafkaTopic(env, 'cass-poison');
    const dlq = uniqueName('cass-dlq');
    await env.kafka.produce(t, [
      json({ id: 1, qty: 1 }),
      json({ id: 2, qty: 'many' }),
      json({ id: 3, qty: 3 }),
    ]);
    const connector = cassandraConnector(
      env,
      uniqueName('c'),
      t,
      `INSERT INTO ${target} SELECT id, qty FROM ${t}`,
      {
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': dlq,
        'errors.deadletterqueue.topic.replication.factor': '1',
        'errors.deadletterqueue.context.headers.enable': 'true',
      },
    );
    worker = await runConnector(env, connector);
    await waitFor(async () => (await count(env, 'poison')) === 2, { what: 'the two good records' });
    const dead = await env.kafka.consume(dlq, 1);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]!.value!.toString())).toEqual({ id: 2, qty: 'many' });
    const message = String(dead[0]!.headers['__connect.errors.exception.message']);
    expect(message).toMatch(new RegExp(`topic ${t} partition 0 offset 1`));
    expect(message).toMatch(/column "qty" \(int\) from qty: cannot write string 'many' into a int column/);
    expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
  });

  it('a config with the legacy (4A) keys and one with the 4B keys both write the same table', async () => {
    await table('shared', 'id int PRIMARY KEY, label text, amount bigint, origin text');
    const legacyTopic = await kafkaTopic(env, 'cass-4a');
    const modernTopic = await kafkaTopic(env, 'cass-4b');
    await env.kafka.produce(legacyTopic, [json({ id: 1, name: 'legacy', amount: 10, origin: '4A' })]);
    await env.kafka.produce(modernTopic, [
      { key: JSON.stringify({ id: 2 }), value: JSON.stringify({ name: 'modern', amount: 20 }) },
    ]);
    const [host, port] = env.contactPoint.split(':') as [string, string];
    const legacy = {
      name: uniqueName('legacy'),
      'connector.class': 'com.datamountaineer.streamreactor.connect.cassandra.sink.CassandraSinkConnector',
      'tasks.max': '1',
      topics: legacyTopic,
      'connect.cassandra.contact.points': host,
      'connect.cassandra.port': port,
      'connect.cassandra.key.space': env.keyspace,
      'connect.cassandra.username': '',
      'connect.cassandra.password': '',
      'connect.cassandra.consistency.level': 'ONE',
      'connect.cassandra.load.balancing.policy': 'TOKEN_AWARE',
      'connect.cassandra.threadpool.size': '4',
      'connect.cassandra.default.value': 'UNSET',
      'connect.cassandra.kcql': `INSERT INTO shared SELECT id, name AS label, amount, origin FROM ${legacyTopic}`,
    };
    const modern = cassandraConnector(
      env,
      uniqueName('modern'),
      modernTopic,
      `INSERT INTO ${env.keyspace}.shared SELECT _key.id AS id, name AS label, amount, _.topic AS origin FROM ${modernTopic} PROPERTIES('consistencyLevel'='LOCAL_QUORUM')`,
      { 'connect.cassandra.max.concurrent.requests': '8', 'connect.cassandra.query.timeout.ms': '5000' },
    );
    worker = await runConnector(env, legacy);
    await waitFor(async () => (await count(env, 'shared')) === 1, { what: 'the 4A row' });
    await worker.stop();
    worker = await runConnector(env, modern);
    await waitFor(async () => (await count(env, 'shared')) === 2, { what: 'the 4B row' });
    const all = (await rows(env, `SELECT * FROM ${env.keyspace}.shared`)).map((r) => [
      r.get('id'),
      r.get('label'),
      r.get('amount'),
      r.get('origin'),
    ]);
    expect(all.sort()).toEqual([
      [1, 'legacy', 10n, '4A'],
      [2, 'modern', 20n, modernTopic],
    ]);
  });

  it('TTL from the KCQL and from a field: rows carry it (ttl() answers)', async () => {
    const target = await table('expiring', 'id int PRIMARY KEY, v text');
    const fromField = await table('expiring_by_field', 'id int PRIMARY KEY, v text');
    const t = await kafkaTopic(env, 'cass-ttl');
    await env.kafka.produce(t, [json({ id: 1, v: 'x', keep: 500 })]);
    worker = await runConnector(
      env,
      cassandraConnector(
        env,
        uniqueName('c'),
        t,
        `INSERT INTO ${target} SELECT id, v FROM ${t} TTL = 100000; INSERT INTO ${fromField} SELECT id, v, keep AS message_internal_ttl FROM ${t}`,
      ),
    );
    await waitFor(
      async () => (await count(env, 'expiring')) === 1 && (await count(env, 'expiring_by_field')) === 1,
      {
        what: 'both rows',
      },
    );
    const ttl = async (t: string) =>
      Number((await rows(env, `SELECT ttl(v) AS ttl FROM ${t} WHERE id = 1`))[0]!.get('ttl'));
    expect(await ttl(target)).toBeGreaterThan(99_000);
    expect(await ttl(target)).toBeLessThanOrEqual(100_000);
    expect(await ttl(fromField)).toBeGreaterThan(400);
    expect(await ttl(fromField)).toBeLessThanOrEqual(500);
  });
});
