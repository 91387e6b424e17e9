import cassandra from 'cassandra-driver';
import { startPrivateInstance, type PrivateInstance } from '@sluice/test-infra';
import {
  kafkaTopic,
  range,
  runConnector,
  sleep,
  uniqueName,
  waitFor,
  type StandaloneWorker,
} from '@sluice/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cassandraConnector, setUpCassandraIt, tearDownCassandraIt, type CassandraIt } from './harness.js';

// A Cassandra outage of ~20 s in the middle of a stream, under RETRY: nothing is lost. The outage is
// of a private Cassandra of this test (its own ports and data), never of the shared server.

let env: CassandraIt;
let instance: PrivateInstance | undefined;
let worker: StandaloneWorker | undefined;

beforeAll(async () => {
  env = await setUpCassandraIt();
  instance = await startPrivateInstance('cassandra');
}, 400_000);
afterAll(async () => {
  await worker?.stop();
  await instance?.dispose();
  await tearDownCassandraIt(env);
});

it('with RETRY, a Cassandra outage of ~20 s mid-stream loses nothing', async () => {
  const info = instance!.info;
  const contactPoint = (info['contactPoints'] as string[])[0]!;
  const connect = async () => {
    const client = new cassandra.Client({
      contactPoints: [contactPoint],
      localDataCenter: info['localDataCenter'] as string,
    });
    await client.connect();
    return client;
  };
  let client = await connect();
  await client.execute(
    "CREATE KEYSPACE outage WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  );
  await client.execute('CREATE TABLE outage.events (id int PRIMARY KEY, phase text)');
  const count = async () =>
    Number((await client.execute('SELECT count(*) AS n FROM outage.events')).first().get('n'));

  const t = await kafkaTopic(env, 'cass-outage');
  const private_ = { ...env, contactPoint };
  const connector = cassandraConnector(
    private_,
    uniqueName('c'),
    t,
    `INSERT INTO outage.events SELECT id, phase FROM ${t}`,
    {
      'connect.cassandra.error.policy': 'RETRY',
      'connect.cassandra.retry.interval': '1000',
      'connect.cassandra.max.retries': '-1',
      'connect.cassandra.query.timeout.ms': '2000',
      'connect.cassandra.connect.timeout.ms': '2000',
    },
  );
  worker = await runConnector(env, connector);
  await env.kafka.produce(
    t,
    range(0, 100).map((id) => ({ value: JSON.stringify({ id, phase: 'before' }) })),
  );
  await waitFor(async () => (await count()) === 100, { what: '100 rows before the outage' });

  await client.shutdown();
  await instance!.stop();
  await env.kafka.produce(
    t,
    range(100, 200).map((id) => ({ value: JSON.stringify({ id, phase: 'during' }) })),
  );
  await sleep(20_000); // the outage: the sink keeps failing and retrying meanwhile
  expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
  await instance!.start();
  await env.kafka.produce(
    t,
    range(200, 300).map((id) => ({ value: JSON.stringify({ id, phase: 'after' }) })),
  );

  client = await connect();
  await waitFor(async () => (await count()) === 300, {
    what: 'all 300 rows after the outage',
    timeoutMs: 120_000,
  });
  const phases = (await client.execute('SELECT phase FROM outage.events')).rows.map((r) =>
    String(r.get('phase')),
  );
  expect(phases.filter((p) => p === 'during')).toHaveLength(100);
  expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
  await client.shutdown();
}, 400_000);
