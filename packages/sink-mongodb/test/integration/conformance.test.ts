import { Binary, Double, Int32, Long, MongoClient, type Db } from 'mongodb';
import { startPrivateInstance } from '@sluice/test-infra';
import { describeSinkConformance, type JsonKind } from '@sluice/test-utils/conformance';
import { uniqueName } from '@sluice/test-utils';
import { setUpMongoIt, tearDownMongoIt, type MongoIt } from './harness.js';

// The shared sink conformance suite against test-infra's MongoDB server (FerretDB). Documents are read
// back with promoteValues: false, so that BSON types are compared as well as values.

let env: MongoIt | undefined;
const it = () => env!;

const number = (v: unknown): unknown =>
  v instanceof Long ? v.toNumber() : v instanceof Int32 || v instanceof Double ? v.valueOf() : v;

const collectionName = (prefix: string) => uniqueName(prefix).replace(/-/g, '_');

function collectionTarget(db: Db, name: string) {
  return {
    name,
    read: async () =>
      (await db.collection(name).find({}, { promoteValues: false }).sort({ _id: 1 }).toArray()).map(
        ({ _id, ...rest }) => rest,
      ),
  };
}

describeSinkConformance({
  store: 'MongoDB (test-infra: FerretDB)',
  connectorClass: 'io.lenses.streamreactor.connect.mongodb.sink.MongoSinkConnector',
  pluginName: 'MongoSinkConnector',
  kcqlKey: 'connect.mongo.kcql',
  setUp: async () => (env = await setUpMongoIt()),
  tearDown: () => tearDownMongoIt(env),
  connection: () => ({ 'connect.mongo.connection': it().mongoUrl, 'connect.mongo.db': it().dbName }),
  target: async (prefix) => collectionTarget(it().db, prefix === 'docs' ? 'orders' : collectionName(prefix)),
  kcql: (target, topic, keyed) =>
    keyed
      ? `UPSERT INTO ${target} SELECT * FROM ${topic} PK id`
      : `INSERT INTO ${target} SELECT * FROM ${topic}`,
  idOf: (doc) => number((doc as { id: unknown }).id),
  expectedAllTypes: (v) => ({
    id: v.id,
    i32: new Int32(v.i32),
    i64: Long.fromNumber(v.i64),
    f32: new Double(v.f32),
    f64: new Double(v.f64), // a whole FLOAT64 stays a double
    flag: v.flag,
    text: v.text,
    raw: new Binary(v.raw),
    day: v.day,
    at: new Int32(v.at), // Time: millis of day
    ts: v.ts,
    tags: [...v.tags],
    attrs: Object.fromEntries(Object.entries(v.attrs).map(([k, n]) => [k, Long.fromNumber(n)])),
    nested: { x: new Double(v.nested.x), label: v.nested.label },
    note: null,
  }),
  expectedJson: (kind: JsonKind, v) => ({
    id: v.id,
    // JsonConverter gives INT64 for int64 fields and for every schemaless integer; JSON text keeps int32.
    n: kind === 'json-text' ? new Int32(v.n) : Long.fromNumber(v.n),
    x: new Double(v.x),
    flag: v.flag,
    inner: { ...v.inner },
  }),
  keyedWrites: true,
  tombstones: { props: { 'connect.mongo.delete.on.null': 'true' }, effect: 'delete' },
  poison: (target, topic) => ({
    kcql: `UPSERT INTO ${target} SELECT * FROM ${topic} PK id`,
    good: [JSON.stringify({ id: 1, v: 'ok' }), JSON.stringify({ id: 3, v: 'ok' })],
    bad: JSON.stringify({ v: 'no id' }),
    error: /field 'id'/,
  }),
  docsExample: (target, topic) => ({
    // docs.lenses.io/connectors/sink/mongo, "Example"; the database is the test's own instead of `connect`.
    connector: {
      name: uniqueName('mongo'),
      'connector.class': 'io.lenses.streamreactor.connect.mongodb.sink.MongoSinkConnector',
      'tasks.max': '1',
      topics: topic,
      'connect.mongo.kcql': `INSERT INTO ${target} SELECT * FROM ${topic}`,
      'connect.mongo.db': it().dbName,
      'connect.mongo.connection': it().mongoUrl,
    },
    messages: [{ value: JSON.stringify({ id: 1, item: 'tea', price: 2.5 }) }],
    expected: [{ id: Long.fromNumber(1), item: 'tea', price: new Double(2.5) }],
  }),
  badKey: { key: 'connect.mongo.connection', value: 'localhost:27017' },
  outage: async () => {
    // A server of its own on its own ports: the shared one is never stopped.
    const mongo = await startPrivateInstance('mongodb');
    const url = mongo.info.url as string;
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
    return {
      connector: { 'connect.mongo.connection': url },
      target: async (prefix) => collectionTarget(client.db(it().dbName), collectionName(prefix)),
      stop: () => mongo.stop(),
      start: () => mongo.start(),
      dispose: async () => {
        await client.close();
        await mongo.dispose();
      },
    };
  },
  unsupportedFields: {
    price:
      'FerretDB has no Decimal128; the Decimal → Decimal128 path is unit-tested against the driver’s encoding',
  },
});
