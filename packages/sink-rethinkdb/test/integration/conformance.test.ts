import r from 'rethinkdb';
import { startPrivateInstance } from '@sluice/test-infra';
import { describeSinkConformance } from '@sluice/test-utils/conformance';
import { uniqueName } from '@sluice/test-utils';
import { setUpRethinkIt, tearDownRethinkIt, type RethinkIt } from './harness.js';

// The shared sink conformance suite against test-infra's RethinkDB (the wire-protocol test double
// unless a real `rethinkdb` is on PATH; the harness prints which). Every statement is keyed (`PK id`):
// the conformance records carry an `id`, and a keyed table is what makes replays idempotent.

let env: RethinkIt | undefined;
const it = () => env!;

const tableName = (prefix: string) => uniqueName(prefix).replace(/-/g, '_');

function tableTarget(conn: () => Promise<r.Connection>, db: string, name: string) {
  return {
    name,
    read: async () => {
      const c = await conn();
      try {
        const cursor = await r.db(db).table(name).run(c);
        const docs = (await cursor.toArray()) as { id: string }[];
        return docs.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
      } catch {
        return []; // the table is created by the sink's AUTOCREATE on its first write
      } finally {
        if (c !== it().conn) await c.close();
      }
    },
  };
}

describeSinkConformance({
  store: 'RethinkDB (test-infra: the wire-protocol test double unless rethinkdb is on PATH)',
  connectorClass: 'com.datamountaineer.streamreactor.connect.rethink.sink.ReThinkSinkConnector',
  pluginName: 'ReThinkSinkConnector',
  kcqlKey: 'connect.rethink.kcql',
  setUp: async () => (env = await setUpRethinkIt()),
  tearDown: () => tearDownRethinkIt(env),
  connection: () => ({
    'connect.rethink.host': it().host,
    'connect.rethink.port': String(it().port),
    'connect.rethink.db': it().db,
  }),
  target: async (prefix) => tableTarget(async () => it().conn, it().db, tableName(prefix)),
  kcql: (target, topic) => `UPSERT INTO ${target} SELECT * FROM ${topic} AUTOCREATE PK id`,
  idOf: (doc) => (doc as { id: string }).id,
  expectedAllTypes: (v) => ({
    id: v.id,
    i32: v.i32,
    i64: v.i64,
    f32: v.f32,
    f64: v.f64,
    flag: v.flag,
    text: v.text,
    raw: v.raw, // BINARY
    price: v.price.text, // exact decimal text
    day: v.day, // TIME
    at: v.at, // millis of day
    ts: v.ts, // TIME
    tags: [...v.tags],
    attrs: { ...v.attrs },
    nested: { ...v.nested },
    note: null,
  }),
  expectedJson: (_kind, v) => ({ id: v.id, n: v.n, x: v.x, flag: v.flag, inner: { ...v.inner } }),
  keyedWrites: true,
  tombstones: { props: { 'connect.rethink.delete.on.null': 'true' }, effect: 'delete' },
  poison: (target, topic) => ({
    kcql: `UPSERT INTO ${target} SELECT * FROM ${topic} AUTOCREATE PK id`,
    good: [JSON.stringify({ id: 1, v: 'ok' }), JSON.stringify({ id: 3, v: 'ok' })],
    bad: JSON.stringify({ v: 'no id' }),
    error: /field 'id'/,
  }),
  docsExample: (target, topic) => ({
    // Stream Reactor's documentation: `UPSERT INTO tableA SELECT * FROM topicA AUTOCREATE PK id`.
    connector: {
      name: uniqueName('rethink'),
      'connector.class': 'com.datamountaineer.streamreactor.connect.rethink.sink.ReThinkSinkConnector',
      'tasks.max': '1',
      topics: topic,
      'connect.rethink.host': it().host,
      'connect.rethink.port': String(it().port),
      'connect.rethink.db': it().db,
      'connect.rethink.kcql': `UPSERT INTO ${target} SELECT * FROM ${topic} AUTOCREATE PK id`,
    },
    messages: [{ value: JSON.stringify({ id: 1, item: 'tea', price: 2.5 }) }],
    expected: [{ id: '1', item: 'tea', price: 2.5 }],
  }),
  badKey: { key: 'connect.rethink.port', value: 'not-a-port' },
  outage: async () => {
    // A server of its own on its own port: the shared one is never stopped.
    const server = await startPrivateInstance('rethinkdb');
    const port = server.info.port;
    return {
      connector: { 'connect.rethink.port': String(port) },
      target: async (prefix) =>
        tableTarget(() => r.connect({ host: it().host, port }), it().db, tableName(prefix)),
      stop: () => server.stop(),
      start: () => server.start(),
      dispose: () => server.dispose(),
    };
  },
});
