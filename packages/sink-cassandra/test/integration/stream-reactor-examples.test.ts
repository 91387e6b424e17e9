import {
  connectJson,
  kafkaTopic,
  runConnector,
  uniqueName,
  waitFor,
  type StandaloneWorker,
} from '@sluice/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cassandraConnector,
  rows,
  setUpCassandraIt,
  tearDownCassandraIt,
  type CassandraIt,
} from './harness.js';

// The KCQL of Stream Reactor's documentation and tests, run unchanged but for the topic name (and the
// host): 4B statements name their keyspace (`testks`, `ks`), which this file creates and drops; 4A
// statements take theirs from connect.cassandra.key.space.

let env: CassandraIt;
let worker: StandaloneWorker | undefined;
const DOC_KEYSPACES = ['testks', 'ks'];

beforeAll(async () => {
  env = await setUpCassandraIt();
  for (const ks of DOC_KEYSPACES) {
    await env.client.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
    await env.client.execute(
      `CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
  }
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  for (const ks of DOC_KEYSPACES)
    await env?.client.execute(`DROP KEYSPACE IF EXISTS ${ks}`).catch(() => undefined);
  await tearDownCassandraIt(env);
});

const rowCount = async (table: string) => (await rows(env, `SELECT * FROM ${table}`)).length;

describe('Stream Reactor examples, unchanged', () => {
  it('4B: key, header and value columns with PROPERTIES (behavior.on.null.values=IGNORE keeps the row)', async () => {
    await env.client.execute(
      'CREATE TABLE testks.testtable (key_id text PRIMARY KEY, trace_id text, user_name text, user_age int)',
    );
    const t = await kafkaTopic(env, 'testtopic');
    await env.kafka.produce(t, [
      {
        key: JSON.stringify({ id: 'u1' }),
        value: JSON.stringify({ name: 'Ann', age: 41 }),
        headers: { trace_id: 'tr-1' },
      },
      { key: JSON.stringify({ id: 'u1' }), value: null },
    ]);
    const kcql = `INSERT INTO testks.testtable SELECT _key.id as key_id, _header.trace_id as trace_id, name as user_name, age as user_age FROM ${t} PROPERTIES('behavior.on.null.values'='IGNORE', 'consistency.level'='ONE')`;
    const connector = cassandraConnector(env, uniqueName('c'), t, kcql);
    worker = await runConnector(env, connector);
    await waitFor(async () => (await env.kafka.committedRecords(`connect-${connector.name}`, t)) >= 2, {
      what: 'both records committed',
    });
    const [r] = await rows(env, 'SELECT * FROM testks.testtable');
    expect([r!.get('key_id'), r!.get('trace_id'), r!.get('user_name'), r!.get('user_age')]).toEqual([
      'u1',
      'tr-1',
      'Ann',
      41,
    ]);
  });

  it('4B: `_value.` paths and a TTL column (message_internal_ttl)', async () => {
    await env.client.execute('CREATE TABLE ks.types (bigintcol bigint PRIMARY KEY, doublecol double)');
    const t = await kafkaTopic(env, 'mytopic');
    await env.kafka.produce(t, [
      { value: JSON.stringify({ bigint: 1234567890123, double: 2.5, ttlcol: 3600 }) },
    ]);
    const kcql = `INSERT INTO ks.types SELECT _value.bigint as bigintcol, _value.double as doublecol, _value.ttlcol as message_internal_ttl FROM ${t}`;
    worker = await runConnector(env, cassandraConnector(env, uniqueName('c'), t, kcql));
    await waitFor(async () => (await rowCount('ks.types')) === 1, { what: 'the row' });
    const [r] = await rows(env, 'SELECT bigintcol, doublecol, ttl(doublecol) AS ttl FROM ks.types');
    expect(r!.get('bigintcol')).toBe(1234567890123n);
    expect(r!.get('doublecol')).toBe(2.5);
    expect(Number(r!.get('ttl'))).toBeGreaterThan(3500);
  });

  it('4B: primary key from the record key; a tombstone deletes the row', async () => {
    await env.client.execute('CREATE TABLE ks.pk_value (my_pk int PRIMARY KEY, my_value text)');
    const t = await kafkaTopic(env, 'mytopic');
    const key = (n: number) => JSON.stringify({ my_pk: n });
    await env.kafka.produce(t, [
      { key: key(1), value: JSON.stringify({ my_value: 'one' }) },
      { key: key(2), value: JSON.stringify({ my_value: 'two' }) },
      { key: key(1), value: null },
    ]);
    const kcql = `INSERT INTO ks.pk_value SELECT _key.my_pk as my_pk, _value.my_value as my_value FROM ${t}`;
    worker = await runConnector(env, cassandraConnector(env, uniqueName('c'), t, kcql));
    await waitFor(
      async () => (await rows(env, 'SELECT my_pk FROM ks.pk_value WHERE my_pk = 2')).length === 1,
      {
        what: 'row 2',
      },
    );
    await waitFor(async () => (await rowCount('ks.pk_value')) === 1, { what: 'row 1 deleted' });
  });

  it('4A (legacy class and keys): aliases and selection; TTL; nested fields and `parent.*` flattened', async () => {
    // Two tables named tableB (as in both examples), in two keyspaces, keyed as each example writes.
    await env.client.execute('CREATE TABLE ks.tableB (a text PRIMARY KEY, y int, c text)');
    await env.client.execute(`CREATE TABLE ${env.keyspace}.tableB (x text PRIMARY KEY, y int)`);
    await env.client.execute(
      `CREATE TABLE ${env.keyspace}.t (id int PRIMARY KEY, int_field int, lat double, lon double)`,
    );
    const topicB = await kafkaTopic(env, 'topicB');
    const topicTtl = await kafkaTopic(env, 'topicB');
    const nested = await kafkaTopic(env, 'TOPIC');
    await env.kafka.produce(topicB, [{ value: JSON.stringify({ x: 'k1', y: 1, c: 'see' }) }]);
    await env.kafka.produce(topicTtl, [{ value: JSON.stringify({ x: 'k2', y: 2 }) }]);
    const inner = (name: string, fields: object[]) => ({
      field: name,
      type: 'struct',
      optional: false,
      fields,
    });
    const schema = {
      type: 'struct',
      optional: false,
      fields: [
        { field: 'id', type: 'int32', optional: false },
        inner('inner1', [{ field: 'int_field', type: 'int32', optional: false }]),
        inner('inner2', [
          { field: 'lat', type: 'double', optional: false },
          { field: 'lon', type: 'double', optional: false },
        ]),
      ],
    };
    await env.kafka.produce(nested, [
      { value: connectJson(schema, { id: 7, inner1: { int_field: 70 }, inner2: { lat: 51.5, lon: -0.1 } }) },
    ]);
    const [host, port] = env.contactPoint.split(':') as [string, string];
    const legacy = (name: string, topic: string, kcql: string, keyspace = env.keyspace) => ({
      name,
      'connector.class': 'io.lenses.streamreactor.connect.cassandra.sink.CassandraSinkConnector',
      'tasks.max': '1',
      topics: topic,
      'connect.cassandra.contact.points': host,
      'connect.cassandra.port': port,
      'connect.cassandra.key.space': keyspace,
      'connect.cassandra.kcql': kcql,
    });
    worker = await runConnector(
      env,
      legacy(uniqueName('a'), topicB, `INSERT INTO tableB SELECT x AS a, y, c FROM ${topicB}`, 'ks'),
    );
    await waitFor(async () => (await rowCount('ks.tableB')) === 1, { what: 'the aliased row' });
    await worker.stop();
    worker = await runConnector(
      env,
      legacy(uniqueName('b'), topicTtl, `INSERT INTO tableB SELECT x, y FROM ${topicTtl} TTL=100000`),
    );
    await waitFor(async () => (await rowCount(`${env.keyspace}.tableB`)) === 1, { what: 'the TTL row' });
    await worker.stop();
    worker = await runConnector(
      env,
      legacy(uniqueName('n'), nested, `INSERT INTO t SELECT id, inner1.int_field, inner2.* FROM ${nested}`),
      { 'value.converter.schemas.enable': 'true' },
    );
    await waitFor(async () => (await rowCount(`${env.keyspace}.t`)) === 1, { what: 'the flattened row' });

    const [aliased] = await rows(env, `SELECT a, y, c FROM ks.tableB WHERE a = 'k1'`);
    expect([aliased!.get('a'), aliased!.get('y'), aliased!.get('c')]).toEqual(['k1', 1, 'see']);
    const [expiring] = await rows(env, `SELECT ttl(y) AS ttl FROM ${env.keyspace}.tableB WHERE x = 'k2'`);
    expect(Number(expiring!.get('ttl'))).toBeGreaterThan(99_000);
    const [flat] = await rows(env, `SELECT * FROM ${env.keyspace}.t WHERE id = 7`);
    expect([flat!.get('int_field'), flat!.get('lat'), flat!.get('lon')]).toEqual([70, 51.5, -0.1]);
  });
});
