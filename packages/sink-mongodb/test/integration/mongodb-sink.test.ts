import { Binary, Long, MongoClient } from 'mongodb';
import { startPrivateInstance } from '@sluice/test-infra';
import {
  connectJson,
  encodeAvro,
  kafkaTopic,
  pumpMessages,
  range,
  readingAvroSchema,
  registerAvroSchema,
  runConnector,
  sleep,
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

  it('Avro through the schema registry: UPSERT on a nested PK, Connect types arrive as BSON types, replays do not duplicate', async () => {
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

    // Replaying the same records (as after a crash) leaves the same three documents.
    await env.kafka.produce(t, batch);
    await sleep(5_000);
    expect(await count('readings')).toBe(3);
  });

  it('JSON with schemas and a tombstone that deletes when delete.on.null is on', async () => {
    const t = await topic('mongo-tombstone');
    const schema = {
      type: 'struct',
      fields: [
        { field: 'id', type: 'string', optional: false },
        { field: 'qty', type: 'int32', optional: false },
      ],
      optional: false,
    };
    await env.kafka.produce(t, [
      { key: 'a', value: connectJson(schema, { id: 'a', qty: 1 }) },
      { key: 'b', value: connectJson(schema, { id: 'b', qty: 2 }) },
    ]);
    const connector = mongoConnector(env, uniqueName('c'), t, `UPSERT INTO stock SELECT * FROM ${t} PK id`, {
      'connect.mongo.delete.on.null': 'true',
    });
    worker = await runConnector(env, connector, { 'value.converter.schemas.enable': 'true' });
    await waitForCount('stock', 2);
    await env.kafka.produce(t, [{ key: 'a', value: null }]);
    await waitFor(async () => (await count('stock')) === 1, { what: 'document a deleted by its tombstone' });
    expect(await env.db.collection('stock').findOne({ _id: 'b' } as never)).toEqual({
      _id: 'b',
      id: 'b',
      qty: 2,
    });
  });

  it('a poison record goes to the dead letter queue while the rest arrive', async () => {
    const t = await topic('mongo-poison');
    const dlq = uniqueName('mongo-dlq');
    await env.kafka.produce(t, [
      { value: JSON.stringify({ id: 1, v: 'ok' }) },
      { value: JSON.stringify({ v: 'no id' }) },
      { value: JSON.stringify({ id: 3, v: 'ok' }) },
    ]);
    const connector = mongoConnector(env, uniqueName('c'), t, `UPSERT INTO poison SELECT * FROM ${t} PK id`, {
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    worker = await runConnector(env, connector);
    await waitForCount('poison', 2);
    const dead = await env.kafka.consume(dlq, 1);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]!.value!.toString())).toEqual({ v: 'no id' });
    expect(dead[0]!.headers['__connect.errors.exception.message']).toMatch(/field 'id'/);
    expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
  });

  it('with RETRY, a MongoDB outage of ~20 s mid-stream loses nothing', async () => {
    // A server of its own on its own port: stopping the shared one would break every other test using it.
    const mongo = await startPrivateInstance('mongodb');
    const client = new MongoClient(mongo.info.url as string, { serverSelectionTimeoutMS: 5_000 });
    try {
      const outage = client.db(env.dbName).collection('outage');
      const t = await topic('mongo-outage');
      const connector = mongoConnector(
        { ...env, mongoUrl: mongo.info.url as string },
        uniqueName('c'),
        t,
        `UPSERT INTO outage SELECT * FROM ${t} PK id`,
        {
          'connect.mongo.error.policy': 'RETRY',
          'connect.mongo.retry.interval': '1000',
          'connect.mongo.max.retries': '-1',
        },
      );
      worker = await runConnector(env, connector);
      await env.kafka.produce(
        t,
        range(0, 100).map((id) => ({ value: JSON.stringify({ id, phase: 'before' }) })),
      );
      await waitFor(async () => (await outage.countDocuments()) === 100, { what: 'the first 100 documents' });

      await mongo.stop();
      await env.kafka.produce(
        t,
        range(100, 300).map((id) => ({ value: JSON.stringify({ id, phase: 'during' }) })),
      );
      await sleep(20_000); // the outage itself
      await mongo.start(); // same port, same data

      await waitFor(async () => (await outage.countDocuments({ phase: 'during' })) === 200, {
        what: 'the 200 records produced during the outage',
        timeoutMs: 90_000,
      });
      await env.kafka.produce(
        t,
        range(300, 350).map((id) => ({ value: JSON.stringify({ id, phase: 'after' }) })),
      );
      await waitFor(async () => (await outage.countDocuments({ phase: 'after' })) === 50, {
        what: 'records after the outage',
      });
      const ids = (await outage.find().toArray()).map((d) => d['id'] as number).sort((a, b) => a - b);
      expect(ids).toEqual(range(0, 350));
      expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
    } finally {
      await worker?.stop();
      worker = undefined;
      await client.close();
      await mongo.dispose();
    }
  }, 240_000);

  it('after a crash (SIGKILL) a new worker replays what was not committed, and UPSERT leaves no duplicates', async () => {
    const t = await topic('mongo-crash');
    await env.kafka.produce(
      t,
      range(0, 600).map((id) => ({ value: JSON.stringify({ id, v: `r${id}` }) })),
      500,
    );
    const connector = mongoConnector(
      env,
      uniqueName('c'),
      t,
      `UPSERT INTO crash SELECT * FROM ${t} PK id BATCH = 50`,
      {
        'consumer.override.max.poll.records': '100',
      },
    );
    const first = await runConnector(env, connector, { 'offset.flush.interval.ms': '60000' });
    await waitFor(async () => (await count('crash')) > 0, { what: 'the first documents' });
    await first.kill();
    worker = await runConnector(env, connector);
    // The new member gets the partition once the killed one's session expired (~30 s).
    await waitForCount('crash', 600, 150_000);
    await sleep(2_000);
    expect(await count('crash')).toBe(600);
  }, 240_000);

  it('INSERT of documents with their own _id skips duplicate keys left by an earlier, uncommitted write', async () => {
    const t = await topic('mongo-dupkey');
    await env.db.collection('dupkey').insertMany([
      { _id: 1, v: 'earlier' },
      { _id: 2, v: 'earlier' },
    ] as never[]);
    await env.kafka.produce(
      t,
      [1, 2, 3, 4].map((id) => ({ value: JSON.stringify({ _id: id, v: 'kafka' }) })),
    );
    const connector = mongoConnector(env, uniqueName('c'), t, `INSERT INTO dupkey SELECT * FROM ${t}`);
    worker = await runConnector(env, connector);
    await waitForCount('dupkey', 4);
    expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
    expect(
      await env.db.collection('dupkey').find({}, { promoteLongs: true }).sort({ _id: 1 }).toArray(),
    ).toEqual([
      { _id: 1, v: 'earlier' },
      { _id: 2, v: 'earlier' },
      { _id: 3, v: 'kafka' },
      { _id: 4, v: 'kafka' },
    ]);
  });

  it('runs the Stream Reactor docs example unchanged but for the host and topic name', async () => {
    const t = await topic('orders');
    await env.kafka.produce(t, [{ value: JSON.stringify({ id: 1, item: 'tea', price: 2.5 }) }]);
    // docs.lenses.io/connectors/sink/mongo, "Example"; the database is the test's own instead of `connect`.
    const example = {
      name: uniqueName('mongo'),
      'connector.class': 'io.lenses.streamreactor.connect.mongodb.sink.MongoSinkConnector',
      'tasks.max': '1',
      topics: t,
      'connect.mongo.kcql': `INSERT INTO orders SELECT * FROM ${t}`,
      'connect.mongo.db': env.dbName,
      'connect.mongo.connection': env.mongoUrl,
    };
    worker = await runConnector(env, example);
    await waitForCount('orders', 1);
    expect(await env.db.collection('orders').findOne({}, { projection: { _id: 0 } })).toEqual({
      id: 1,
      item: 'tea',
      price: 2.5,
    });
  });
});
