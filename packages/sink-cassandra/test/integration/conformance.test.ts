import cassandra from 'cassandra-driver';
import { startPrivateInstance } from '@sluice/test-infra';
import { uniqueName } from '@sluice/test-utils';
import { describeSinkConformance, type ConformanceOutage } from '@sluice/test-utils/conformance';
import { setUpCassandraIt, tearDownCassandraIt, type CassandraIt } from './harness.js';

// The shared sink conformance suite against test-infra's Cassandra 5.0. Each target is a table made
// for its scenario; rows are read back with the driver and turned into plain values (decimal, date,
// time as their CQL text; bigint as bigint; maps as objects) so that CQL types are compared too.

const { types } = cassandra;
let env: CassandraIt | undefined;
const it = () => env!;
/** The outage scenario writes to a private instance: its client, while it runs (none while it is down). */
let privateClient: cassandra.Client | undefined;

const TABLES: Record<string, string> = {
  avro:
    '(id text PRIMARY KEY, i32 int, i64 bigint, f32 float, f64 double, flag boolean, text text, raw blob, price decimal, ' +
    'day date, at time, ts timestamp, tags list<text>, attrs map<text, bigint>, nested frozen<nested_t>, note text)',
  json: '(id text PRIMARY KEY, n bigint, x double, flag boolean, inner frozen<inner_t>)',
  replay: '(id int PRIMARY KEY, v text)',
  tombstone: '(id text PRIMARY KEY, v int)',
  poison: '(id int PRIMARY KEY, qty int)',
  outage: '(id int PRIMARY KEY)',
  validate: '(id text PRIMARY KEY)',
};

function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Map)
    return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  if (Buffer.isBuffer(value) || value instanceof Date || typeof value !== 'object') return value;
  if (
    value instanceof types.BigDecimal ||
    value instanceof types.LocalDate ||
    value instanceof types.LocalTime ||
    value instanceof types.Uuid ||
    value instanceof types.InetAddress
  )
    return value.toString();
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, plain(v)]));
}

async function readTable(
  client: cassandra.Client,
  table: string,
  sortBy: string,
): Promise<Record<string, unknown>[]> {
  const rows = (await client.execute(`SELECT * FROM ${table}`)).rows.map((row) =>
    Object.fromEntries(row.keys().map((k) => [k, plain(row.get(k))])),
  );
  return rows.sort((a, b) => (String(a[sortBy]) < String(b[sortBy]) ? -1 : 1));
}

describeSinkConformance({
  store: 'Apache Cassandra 5.0 (test-infra)',
  connectorClass: 'io.lenses.streamreactor.connect.cassandra.CassandraSinkConnector',
  pluginName: 'CassandraSinkConnector',
  kcqlKey: 'connect.cassandra.kcql',
  setUp: async () => {
    env = await setUpCassandraIt();
    await env.client.execute(`CREATE TYPE ${env.keyspace}.nested_t (x double, label text)`);
    await env.client.execute(`CREATE TYPE ${env.keyspace}.inner_t (s text)`);
    return env;
  },
  tearDown: () => tearDownCassandraIt(env),
  connection: () => {
    const [host, port] = it().contactPoint.split(':') as [string, string];
    return {
      'connect.cassandra.contact.points': host,
      'connect.cassandra.port': port,
      'connect.cassandra.load.balancing.local.dc': it().localDc,
    };
  },
  target: async (prefix) => {
    if (prefix === 'docs') {
      // Stream Reactor's example names its keyspace and table.
      await it().client.execute('DROP KEYSPACE IF EXISTS testks');
      await it().client.execute(
        "CREATE KEYSPACE testks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
      );
      await it().client.execute(
        'CREATE TABLE testks.testtable (key_id text PRIMARY KEY, trace_id text, user_name text, user_age int)',
      );
      return {
        name: 'testks.testtable',
        read: () => readTable(it().client, 'testks.testtable', 'key_id'),
        close: async () => void (await it().client.execute('DROP KEYSPACE IF EXISTS testks')),
      };
    }
    const kind = prefix.startsWith('json') ? 'json' : prefix;
    const name = `${it().keyspace}.${uniqueName(kind).replace(/-/g, '_')}`;
    await it().client.execute(`CREATE TABLE ${name} ${TABLES[kind]}`);
    return { name, read: () => readTable(it().client, name, 'id') };
  },
  kcql: (target, topic, keyed) =>
    keyed && /\.tombstone_/.test(target)
      ? `INSERT INTO ${target} SELECT _key AS id, v FROM ${topic}`
      : `INSERT INTO ${target} SELECT * FROM ${topic}`,
  idOf: (doc) => (doc as { id: unknown }).id,
  expectedAllTypes: (v) => ({
    id: v.id,
    i32: v.i32,
    i64: BigInt(v.i64),
    f32: v.f32,
    f64: v.f64,
    flag: v.flag,
    text: v.text,
    raw: v.raw,
    price: v.price.text,
    day: v.day.toISOString().slice(0, 10),
    at: types.LocalTime.fromMilliseconds(v.at).toString(),
    ts: v.ts,
    tags: [...v.tags],
    attrs: Object.fromEntries(Object.entries(v.attrs).map(([k, n]) => [k, BigInt(n)])),
    nested: { x: v.nested.x, label: v.nested.label },
    note: null,
  }),
  // Converted by the column types: the same row whatever the input format.
  expectedJson: (_kind, v) => ({ id: v.id, n: BigInt(v.n), x: v.x, flag: v.flag, inner: { s: v.inner.s } }),
  keyedWrites: true,
  tombstones: { props: {}, effect: 'delete' },
  poison: (target, topic) => ({
    kcql: `INSERT INTO ${target} SELECT id, qty FROM ${topic}`,
    good: [JSON.stringify({ id: 1, qty: 1 }), JSON.stringify({ id: 3, qty: 3 })],
    bad: JSON.stringify({ id: 2, qty: 'many' }),
    error: /column "qty" \(int\) from qty: cannot write string 'many' into a int column/,
  }),
  outage: async (): Promise<ConformanceOutage> => {
    const instance = await startPrivateInstance('cassandra');
    const contactPoint = (instance.info['contactPoints'] as string[])[0]!;
    const localDc = instance.info['localDataCenter'] as string;
    const connect = async () => {
      const client = new cassandra.Client({
        contactPoints: [contactPoint],
        localDataCenter: localDc,
        encoding: { useBigIntAsLong: true, useBigIntAsVarint: true, map: Map },
      });
      await client.connect();
      return client;
    };
    privateClient = await connect();
    await privateClient.execute(
      "CREATE KEYSPACE outage_ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    );
    const [host, port] = contactPoint.split(':') as [string, string];
    return {
      connector: {
        'connect.cassandra.contact.points': host,
        'connect.cassandra.port': port,
        'connect.cassandra.load.balancing.local.dc': localDc,
        'connect.cassandra.query.timeout.ms': '2000',
        'connect.cassandra.connect.timeout.ms': '2000',
      },
      target: async (prefix) => {
        const name = `outage_ks.${uniqueName(prefix).replace(/-/g, '_')}`;
        await privateClient!.execute(`CREATE TABLE ${name} ${TABLES['outage']}`);
        return { name, read: () => readTable(privateClient!, name, 'id') };
      },
      stop: async () => {
        await privateClient?.shutdown();
        privateClient = undefined;
        await instance.stop();
      },
      start: async () => {
        await instance.start();
        privateClient = await connect();
      },
      dispose: async () => {
        await privateClient?.shutdown();
        privateClient = undefined;
        await instance.dispose();
      },
    };
  },
  docsExample: (target, topic) => {
    const [host, port] = it().contactPoint.split(':') as [string, string];
    return {
      connector: {
        name: uniqueName('docs'),
        'connector.class': 'io.lenses.streamreactor.connect.cassandra.CassandraSinkConnector',
        'tasks.max': '1',
        topics: topic,
        'connect.cassandra.contact.points': host,
        'connect.cassandra.port': port,
        'connect.cassandra.load.balancing.local.dc': it().localDc,
        'connect.cassandra.kcql': `INSERT INTO ${target} SELECT _key.id as key_id, _header.trace_id as trace_id, name as user_name, age as user_age FROM ${topic} PROPERTIES('behavior.on.null.values'='IGNORE', 'consistency.level'='ONE')`,
      },
      messages: [
        {
          key: JSON.stringify({ id: 'u1' }),
          value: JSON.stringify({ name: 'Ann', age: 41 }),
          headers: { trace_id: 'tr-1' },
        },
      ],
      expected: [{ key_id: 'u1', trace_id: 'tr-1', user_name: 'Ann', user_age: 41 }],
    };
  },
  badKey: { key: 'connect.cassandra.consistency.level', value: 'MOST' },
});
