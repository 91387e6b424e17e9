import {
  encodeAvro,
  kafkaTopic,
  registerAvroSchema,
  runConnector,
  sinkWorkerProps,
  StandaloneWorker,
  uniqueName,
  waitFor,
} from '@sluice/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cassandraConnector,
  rows,
  setUpCassandraIt,
  tearDownCassandraIt,
  type CassandraIt,
} from './harness.js';

// Tables: AUTOCREATE from the Connect schema and the KCQL PK; what cannot work fails the task with the
// reason, whatever the error policy (a missing table under RETRY with unlimited retries; AUTOCREATE of
// schemaless records).

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

/** Starts the connector without waiting for RUNNING (its task may fail at once) and returns the task's failure. */
async function failedTrace(connector: Record<string, string>): Promise<string> {
  const name = connector['name']!;
  worker = await StandaloneWorker.start({ worker: sinkWorkerProps(env), connectors: [connector] });
  let trace = '';
  await waitFor(
    async () => {
      const task = (await worker!.status(name)).tasks[0];
      trace = task?.trace ?? '';
      return task?.state === 'FAILED';
    },
    { what: `task of ${name} FAILED` },
  );
  return trace;
}

describe('Cassandra sink tables', () => {
  it('AUTOCREATE creates the table from the Avro schema, PK first as partition key, and writes to it', async () => {
    const t = await kafkaTopic(env, 'cass-autocreate');
    const avro = await registerAvroSchema(env.registryUrl, `${t}-value`, {
      type: 'record',
      name: 'Reading',
      fields: [
        { name: 'sensor', type: 'string' },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'value', type: 'double' },
        { name: 'count', type: 'long' },
        { name: 'tags', type: { type: 'array', items: 'string' } },
      ],
    });
    await env.kafka.produce(t, [
      { value: encodeAvro(avro, { sensor: 's1', at: 1_000, value: 1.5, count: 1, tags: ['a'] }) },
      { value: encodeAvro(avro, { sensor: 's1', at: 2_000, value: 2.5, count: 2, tags: [] }) },
    ]);
    worker = await runConnector(
      env,
      cassandraConnector(
        env,
        uniqueName('c'),
        t,
        `INSERT INTO ${env.keyspace}.auto_readings SELECT * FROM ${t} AUTOCREATE PK sensor, at`,
      ),
      {
        'value.converter': 'io.confluent.connect.avro.AvroConverter',
        'value.converter.schema.registry.url': env.registryUrl,
      },
    );
    await waitFor(
      async () =>
        (await rows(env, `SELECT * FROM ${env.keyspace}.auto_readings`).catch(() => [])).length === 2,
      {
        what: 'two rows in the created table',
      },
    );
    const columns = await rows(
      env,
      'SELECT column_name, kind, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
      [env.keyspace, 'auto_readings'],
    );
    expect(
      Object.fromEntries(columns.map((c) => [c.get('column_name'), `${c.get('kind')} ${c.get('type')}`])),
    ).toEqual({
      sensor: 'partition_key text',
      at: 'clustering timestamp',
      value: 'regular double',
      count: 'regular bigint',
      tags: 'regular frozen<list<text>>',
    });
    const [r] = await rows(
      env,
      `SELECT * FROM ${env.keyspace}.auto_readings WHERE sensor = 's1' AND at = ?`,
      [new Date(2_000)],
    );
    expect([r!.get('value'), r!.get('count'), r!.get('tags')]).toEqual([2.5, 2n, null]);
  });

  it('AUTOCREATE refuses schemaless records with a clear message', async () => {
    const t = await kafkaTopic(env, 'cass-autocreate-json');
    await env.kafka.produce(t, [{ value: JSON.stringify({ id: 1 }) }]);
    const connector = cassandraConnector(
      env,
      uniqueName('c'),
      t,
      `INSERT INTO ${env.keyspace}.never SELECT * FROM ${t} AUTOCREATE PK id`,
    );
    expect(await failedTrace(connector)).toMatch(/AUTOCREATE of .*never needs records with a schema/);
  });

  it('a missing table fails the task with the reason even under RETRY with unlimited retries', async () => {
    const t = await kafkaTopic(env, 'cass-missing');
    await env.kafka.produce(t, [{ value: JSON.stringify({ id: 1 }) }]);
    const connector = cassandraConnector(
      env,
      uniqueName('c'),
      t,
      `INSERT INTO ${env.keyspace}.missing SELECT * FROM ${t}`,
      {
        'connect.cassandra.error.policy': 'RETRY',
        'connect.cassandra.max.retries': '-1',
        'connect.cassandra.retry.interval': '500',
      },
    );
    expect(await failedTrace(connector)).toMatch(/table .*missing does not exist/);
  });
});
