import r from 'rethinkdb';
import { startPrivateInstance } from '@sluice/test-infra';
import {
  encodeAvro,
  kafkaTopic,
  range,
  registerAvroSchema,
  runConnector,
  sleep,
  uniqueName,
  waitFor,
  type StandaloneWorker,
} from '@sluice/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  count,
  documents,
  rethinkConnector,
  setUpRethinkIt,
  tearDownRethinkIt,
  type RethinkIt,
} from './harness.js';

// End to end: real Kafka → `sluice standalone` (converters, engine, this sink) → RethinkDB, read back
// through the official driver.

let env: RethinkIt;
let worker: StandaloneWorker | undefined;

beforeAll(async () => {
  env = await setUpRethinkIt();
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await tearDownRethinkIt(env);
});

const json = (v: unknown) => ({ value: JSON.stringify(v) });
const waitForCount = (table: string, n: number) =>
  waitFor(async () => (await count(env, table)) === n, {
    what: `${n} documents in ${table}`,
    timeoutMs: 60_000,
  });

describe('RethinkDB sink end to end', () => {
  it("Stream Reactor's examples run unchanged: INSERT into an existing table, then UPSERT with AUTOCREATE", async () => {
    const t = await kafkaTopic(env, 'rethink_topic');
    await r.dbCreate(env.db).run(env.conn);
    await r.db(env.db).tableCreate('rethink_table').run(env.conn);
    await env.kafka.produce(
      t,
      range(0, 5).map((i) => json({ string_id: `s${i}`, int_field: i, extra: true })),
    );
    worker = await runConnector(
      env,
      rethinkConnector(env, uniqueName('c'), t, `INSERT INTO rethink_table SELECT * FROM ${t} BATCH = 100`),
    );
    await waitForCount('rethink_table', 5);
    expect(await documents(env, 'rethink_table', 'int_field')).toEqual(
      range(0, 5).map((i) => ({ id: `${t}-0-${i}`, string_id: `s${i}`, int_field: i, extra: true })),
    );
    await worker.stop();

    worker = await runConnector(
      env,
      rethinkConnector(
        env,
        uniqueName('c'),
        t,
        `UPSERT INTO tableA SELECT string_id, int_field FROM ${t} AUTOCREATE PK string_id BATCH = 100`,
      ),
    );
    await waitForCount('tableA', 5);
    const info = (await (r.db(env.db).table('tableA') as unknown as { info(): r.Operation<unknown> })
      .info()
      .run(env.conn)) as { primary_key: string };
    expect(info.primary_key).toBe('string_id');
    expect(await documents(env, 'tableA', 'string_id')).toEqual(
      range(0, 5).map((i) => ({ string_id: `s${i}`, int_field: i })),
    );
  });

  it('Avro through the schema registry: Connect types arrive as RethinkDB types', async () => {
    const t = await kafkaTopic(env, 'rethink-avro');
    const schema = {
      type: 'record',
      name: 'Payment',
      namespace: 'sluice.it',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 20, scale: 2 } },
        { name: 'big', type: 'long' },
        { name: 'ratio', type: 'double' },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'day', type: { type: 'int', logicalType: 'date' } },
        { name: 'tod', type: { type: 'int', logicalType: 'time-millis' } },
        { name: 'raw', type: 'bytes' },
        { name: 'tags', type: { type: 'array', items: 'string' } },
        { name: 'attrs', type: { type: 'map', values: 'int' } },
        { name: 'where', type: { type: 'record', name: 'Where', fields: [{ name: 'lat', type: 'double' }] } },
        { name: 'note', type: ['null', 'string'], default: null },
      ],
    };
    const avro = await registerAvroSchema(env.registryUrl, `${t}-value`, schema);
    const unscaled = 123456789012345678n; // 1234567890123456.78: more digits than a double holds
    const amount = Buffer.from(unscaled.toString(16).padStart(16, '0'), 'hex');
    await env.kafka.produce(t, [
      {
        value: encodeAvro(avro, {
          id: 'p1',
          amount,
          big: 2 ** 40,
          ratio: 3,
          at: Date.UTC(2024, 5, 1, 12, 0, 0, 250),
          day: 19875,
          tod: 45_296_789,
          raw: Buffer.from([0, 1, 254]),
          tags: ['x', 'y'],
          attrs: { a: 1 },
          where: { lat: 51.5 },
          note: null,
        }),
      },
    ]);
    worker = await runConnector(
      env,
      rethinkConnector(env, uniqueName('c'), t, `UPSERT INTO payments SELECT * FROM ${t} AUTOCREATE PK id`),
      {
        'value.converter': 'io.confluent.connect.avro.AvroConverter',
        'value.converter.schema.registry.url': env.registryUrl,
      },
    );
    await waitForCount('payments', 1);
    const [doc] = await documents(env, 'payments');
    expect(doc).toEqual({
      id: 'p1',
      amount: '1234567890123456.78',
      big: 2 ** 40,
      ratio: 3,
      at: new Date(Date.UTC(2024, 5, 1, 12, 0, 0, 250)),
      day: new Date(19875 * 86_400_000),
      tod: 45_296_789,
      raw: Buffer.from([0, 1, 254]),
      tags: ['x', 'y'],
      attrs: { a: 1 },
      where: { lat: 51.5 },
      note: null,
    });
  });

  it("UPSERT replaces by default and merges with PROPERTIES('conflict'='update')", async () => {
    const t = await kafkaTopic(env, 'rethink-upsert');
    await env.kafka.produce(t, [json({ id: 1, a: 1, b: 1 }), json({ id: 1, a: 2 })]);
    worker = await runConnector(
      env,
      rethinkConnector(
        env,
        uniqueName('c'),
        t,
        `UPSERT INTO replaced SELECT * FROM ${t} AUTOCREATE PK id; ` +
          `UPSERT INTO merged SELECT * FROM ${t} AUTOCREATE PK id PROPERTIES('conflict'='update')`,
      ),
    );
    await waitFor(
      async () =>
        (await documents(env, 'replaced')).some((d) => d['a'] === 2) &&
        (await documents(env, 'merged')).some((d) => d['a'] === 2),
      { what: 'the second record in both tables' },
    );
    expect(await documents(env, 'replaced')).toEqual([{ id: '1', a: 2 }]);
    expect(await documents(env, 'merged')).toEqual([{ id: '1', a: 2, b: 1 }]);
  });

  it('a replay writes nothing twice and fails nothing; a different document under an existing key goes to the DLQ while its neighbours arrive', async () => {
    const t = await kafkaTopic(env, 'rethink-insert');
    const dlq = uniqueName('rethink-dlq');
    await env.kafka.produce(t, [json({ id: 1, v: 'a' }), json({ id: 1, v: 'b' }), json({ id: 2, v: 'c' })]);
    const connector = (name: string) =>
      rethinkConnector(env, name, t, `INSERT INTO once SELECT * FROM ${t} AUTOCREATE PK id`, {
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': dlq,
        'errors.deadletterqueue.topic.replication.factor': '1',
        'errors.deadletterqueue.context.headers.enable': 'true',
      });
    const first = connector(uniqueName('c'));
    worker = await runConnector(env, first);
    await waitForCount('once', 2);
    const dead = await env.kafka.consume(dlq, 1);
    expect(JSON.parse(dead[0]!.value!.toString())).toEqual({ id: 1, v: 'b' });
    expect(dead[0]!.headers['__connect.errors.exception.message']).toMatch(
      /already holds a different document/,
    );
    expect(dead[0]!.headers['__connect.errors.offset']).toBe('1');
    await waitFor(async () => (await env.kafka.committedRecords(`connect-${first.name}`, t)) === 3, {
      what: 'all 3 offsets committed',
    });
    await worker.stop();

    // A new consumer group reads the topic again from the start: the same documents, already there.
    const replay = connector(uniqueName('c'));
    worker = await runConnector(env, replay);
    await waitFor(async () => (await env.kafka.committedRecords(`connect-${replay.name}`, t)) === 3, {
      what: 'the replay committed',
    });
    expect((await worker.status(replay.name)).tasks[0]!.state).toBe('RUNNING');
    expect(await documents(env, 'once')).toEqual([
      { id: '1', v: 'a' },
      { id: '2', v: 'c' },
    ]);
    // The replay's conflicting record is that record again: it goes to the DLQ a second time, nothing else.
    expect(await env.kafka.consume(dlq, 2)).toHaveLength(2);
  });

  it('with delete.on.null a tombstone deletes the document its key names', async () => {
    const t = await kafkaTopic(env, 'rethink-tombstone');
    worker = await runConnector(
      env,
      rethinkConnector(env, uniqueName('c'), t, `UPSERT INTO stock SELECT * FROM ${t} AUTOCREATE PK id`, {
        'connect.rethink.delete.on.null': 'true',
      }),
    );
    await env.kafka.produce(t, [json({ id: 'a', qty: 1 }), json({ id: 'b', qty: 2 })]);
    await waitForCount('stock', 2);
    await env.kafka.produce(t, [{ key: '{"id":"a"}', value: null }]);
    await waitForCount('stock', 1);
    expect(await documents(env, 'stock')).toEqual([{ id: 'b', qty: 2 }]);
  });

  it('a table that does not exist, without AUTOCREATE, fails the task with a message that says so', async () => {
    const t = await kafkaTopic(env, 'rethink-missing');
    const connector = rethinkConnector(env, uniqueName('c'), t, `INSERT INTO nowhere SELECT * FROM ${t}`, {
      'connect.rethink.error.policy': 'RETRY',
      'connect.rethink.max.retries': '-1',
    });
    worker = await runConnector(env, connector);
    await env.kafka.produce(t, [json({ id: 1 })]);
    await waitFor(async () => (await worker!.status(connector.name)).tasks[0]!.state === 'FAILED', {
      what: 'the task to fail',
    });
    const task = (await worker.status(connector.name)).tasks[0]!;
    expect(task.trace).toMatch(
      /No table called nowhere found in database \w+ and it's not set for AUTOCREATE/,
    );
  });

  it('with RETRY, a RethinkDB outage of ~20 s mid-stream loses nothing', async () => {
    // A server of its own on its own port: stopping the shared one would break every other test using it.
    const server = await startPrivateInstance('rethinkdb');
    const port = server.info.port;
    const own = { ...env, port };
    try {
      const t = await kafkaTopic(env, 'rethink-outage');
      const connector = rethinkConnector(
        own,
        uniqueName('c'),
        t,
        `UPSERT INTO outage SELECT * FROM ${t} AUTOCREATE PK id`,
        {
          'connect.rethink.error.policy': 'RETRY',
          'connect.rethink.retry.interval': '1000',
          'connect.rethink.max.retries': '-1',
        },
      );
      worker = await runConnector(env, connector);
      const stored = async (phase?: string) => {
        const conn = await r.connect({ host: env.host, port });
        try {
          const docs = (await (await r.db(env.db).table('outage').run(conn)).toArray()) as {
            id: string;
            phase: string;
          }[];
          return phase ? docs.filter((d) => d.phase === phase) : docs;
        } catch {
          return [];
        } finally {
          await conn.close();
        }
      };
      await env.kafka.produce(
        t,
        range(0, 100).map((id) => json({ id, phase: 'before' })),
      );
      await waitFor(async () => (await stored()).length === 100, { what: 'the first 100 documents' });

      await server.stop();
      await env.kafka.produce(
        t,
        range(100, 300).map((id) => json({ id, phase: 'during' })),
      );
      await sleep(20_000); // the outage itself
      await server.start(); // same port, same data

      await waitFor(async () => (await stored('during')).length === 200, {
        what: 'the 200 records produced during the outage',
        timeoutMs: 90_000,
      });
      await env.kafka.produce(
        t,
        range(300, 350).map((id) => json({ id, phase: 'after' })),
      );
      await waitFor(async () => (await stored('after')).length === 50, { what: 'records after the outage' });
      const ids = (await stored()).map((d) => Number(d.id)).sort((a, b) => a - b);
      expect(ids).toEqual(range(0, 350));
      expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
    } finally {
      await worker?.stop();
      worker = undefined;
      await server.dispose();
    }
  }, 240_000);
});
