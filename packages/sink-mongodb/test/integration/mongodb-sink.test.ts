import { Binary, Long, UUID } from 'mongodb';
import {
  encodeAvro,
  kafkaTopic,
  pumpMessages,
  readingAvroSchema,
  registerAvroSchema,
  runConnector,
  uniqueName,
  waitFor,
  type StandaloneWorker,
} from '@sluice/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mongoConnector, setUpMongoIt, tearDownMongoIt, type MongoIt } from './harness.js';

// End to end: real Kafka → `sluice standalone` (converters, engine, this sink) → FerretDB.

let env: MongoIt;
let worker: StandaloneWorker | undefined;

beforeAll(async () => {
  env = await setUpMongoIt();
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await tearDownMongoIt(env);
});

const topic = (prefix: string) => kafkaTopic(env, prefix);

const count = (collection: string) => env.db.collection(collection).countDocuments();
const waitForCount = (collection: string, n: number, timeoutMs = 60_000) =>
  waitFor(async () => (await count(collection)) >= n, { what: `${n} documents in ${collection}`, timeoutMs });

describe('MongoDB sink end to end', () => {
  it('schemaless JSON: INSERT with selection, aliases and nested paths; integers arrive as int64 (JsonConverter gives INT64)', async () => {
    const t = await topic('mongo-json');
    await env.kafka.produce(t, pumpMessages());
    worker = await runConnector(
      env,
      mongoConnector(
        env,
        uniqueName('c'),
        t,
        `INSERT INTO pumps SELECT id, name AS label, big, location.lat FROM ${t}`,
      ),
    );
    await waitForCount('pumps', 3);
    const docs = await env.db
      .collection('pumps')
      .find({}, { promoteLongs: false, projection: { _id: 0 } })
      .sort({ id: 1 })
      .toArray();
    expect(docs).toEqual(
      [1, 2, 3].map((i) => ({
        id: Long.fromNumber(i),
        label: `pump-${i}`,
        big: Long.fromNumber(5_000_000_000 + i),
        lat: Long.fromNumber(50 + i),
      })),
    );
  });

  it('Avro through the schema registry: UPSERT on a nested PK, Connect types arrive as BSON types, records of a key replace its document', async () => {
    const t = await topic('mongo-avro');
    const avro = await registerAvroSchema(env.registryUrl, `${t}-value`, readingAvroSchema);
    const reading = (sensor: string, n: number) =>
      encodeAvro(avro, {
        sensorID: sensor,
        count: n,
        at: Date.UTC(2024, 0, 1, 0, 0, n),
        raw: Buffer.from([n, n + 1]),
        location: { lat: 51.5, lon: n / 10 },
        tags: ['a', 'b'],
        attrs: { x: n },
        note: null,
      });
    const batch = [reading('s1', 1), reading('s2', 2), reading('s1', 3), reading('s3', 4)].map((value) => ({
      value,
    }));
    await env.kafka.produce(t, batch);
    const connector = mongoConnector(
      env,
      uniqueName('c'),
      t,
      `UPSERT INTO readings SELECT * FROM ${t} PK sensorID, location.lat`,
    );
    worker = await runConnector(env, connector, {
      'value.converter': 'io.confluent.connect.avro.AvroConverter',
      'value.converter.schema.registry.url': env.registryUrl,
    });
    await waitFor(
      async () => (await env.db.collection('readings').findOne({ count: { $gte: 4 } })) !== null,
      { what: 'the last reading' },
    );
    await waitFor(
      async () =>
        (await env.db
          .collection('readings')
          .findOne({ _id: { sensorID: 's1', lat: 51.5 }, count: 3 } as never)) !== null,
      {
        what: 's1 replaced by its second reading',
      },
    );
    expect(await count('readings')).toBe(3);
    const s1 = await env.db.collection('readings').findOne({ _id: { sensorID: 's1', lat: 51.5 } } as never, {
      promoteLongs: false,
      promoteBuffers: false,
    });
    expect(s1).toEqual({
      _id: { sensorID: 's1', lat: 51.5 },
      sensorID: 's1',
      count: Long.fromNumber(3),
      at: new Date(Date.UTC(2024, 0, 1, 0, 0, 3)),
      raw: new Binary(Buffer.from([3, 4])),
      location: { lat: 51.5, lon: 0.3 },
      tags: ['a', 'b'],
      attrs: { x: 3 },
      note: null,
    });
  });

  it('INSERT skips a duplicate on _id (a replay) but sends a unique secondary index conflict to the DLQ', async () => {
    const t = await topic('mongo-dupkey');
    const dlq = uniqueName('mongo-dupkey-dlq');
    await env.db.collection('dupkey').createIndex({ email: 1 }, { unique: true });
    await env.db.collection('dupkey').insertMany([
      { _id: 1, email: 'a@x', v: 'earlier' },
      { _id: 2, email: 'b@x', v: 'earlier' },
    ] as never[]);
    await env.kafka.produce(t, [
      { value: JSON.stringify({ _id: 1, email: 'a@x', v: 'kafka' }) }, // replay of a written document
      { value: JSON.stringify({ _id: 3, email: 'c@x', v: 'kafka' }) },
      { value: JSON.stringify({ _id: 4, email: 'b@x', v: 'kafka' }) }, // conflicts with _id 2 on email
      { value: JSON.stringify({ _id: 5, email: 'e@x', v: 'kafka' }) },
    ]);
    const connector = mongoConnector(env, uniqueName('c'), t, `INSERT INTO dupkey SELECT * FROM ${t}`, {
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    worker = await runConnector(env, connector);
    await waitForCount('dupkey', 4);
    const dead = await env.kafka.consume(dlq, 1);
    expect(dead.map((d) => JSON.parse(d.value!.toString())._id)).toEqual([4]);
    expect(dead[0]!.headers['__connect.errors.exception.message']).toMatch(/duplicate key.*code 11000/i);
    expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
    const docs = await env.db
      .collection('dupkey')
      .find({}, { promoteLongs: true })
      .sort({ _id: 1 })
      .toArray();
    expect(docs.map((d) => [d._id, d['v']])).toEqual([
      [1, 'earlier'],
      [2, 'earlier'],
      [3, 'kafka'],
      [5, 'kafka'],
    ]);
  });

  it("UPSERT with PROPERTIES('update.mode'='set') updates the selected fields only; uuid.fields stores BSON UUIDs", async () => {
    const t = await topic('mongo-set');
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    await env.db.collection('profiles').insertOne({ _id: 'u1', name: 'old', visits: 9, keep: 'me' } as never);
    await env.kafka.produce(t, [
      { value: JSON.stringify({ user: 'u1', name: 'new', ref: id, ignored: 'x' }) },
      { value: JSON.stringify({ user: 'u2', name: 'fresh', ref: id, ignored: 'x' }) },
    ]);
    const connector = mongoConnector(
      env,
      uniqueName('c'),
      t,
      `UPSERT INTO profiles SELECT name, ref FROM ${t} PK user PROPERTIES('update.mode'='set')`,
      { 'connect.mongo.uuid.fields': 'ref' },
    );
    worker = await runConnector(env, connector);
    await waitForCount('profiles', 2);
    const docs = await env.db.collection('profiles').find({}).sort({ _id: 1 }).toArray();
    expect(docs).toEqual([
      { _id: 'u1', name: 'new', visits: 9, keep: 'me', ref: new UUID(id) },
      { _id: 'u2', name: 'fresh', ref: new UUID(id) },
    ]);
  });
});
