import { startPrivateInstance, type PrivateInstance } from '@sluice/test-infra';
import {
  kafkaTopic,
  range,
  runConnector,
  sleep,
  uniqueName,
  type StandaloneWorker,
} from '@sluice/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jmsConnector, setUpJmsIt, tearDownJmsIt, type JmsIt } from './harness.js';

// The broker stopped for ~20 s in the middle of a stream, on a private ActiveMQ of this test (the
// shared one is never stopped). The test broker keeps messages in memory only, so the queue is drained
// before the stop; the records produced during the outage must all arrive after it, once each.

const OUTAGE_MS = 20_000;

let env: JmsIt;
let broker: PrivateInstance | undefined;
let worker: StandaloneWorker | undefined;

beforeAll(async () => {
  env = await setUpJmsIt();
  broker = await startPrivateInstance('activemq');
});
afterAll(async () => {
  await worker?.stop();
  await broker?.dispose();
  await tearDownJmsIt(env);
});

const ids = (messages: { body: unknown }[]) =>
  messages.map((m) => (JSON.parse(m.body as string) as { id: number }).id);

describe('JMS sink, broker outage', () => {
  it('with RETRY, a broker stopped for ~20 s loses nothing and sends nothing twice', async () => {
    const stompUrl = broker!.info['url'] as string;
    const openwire = broker!.info['openwireUrl'] as string;
    const t = await kafkaTopic(env, 'jms-outage');
    const queue = uniqueName('it.outage');
    const connector = jmsConnector(
      env,
      uniqueName('c'),
      t,
      `INSERT INTO ${queue} SELECT * FROM ${t} WITHTYPE QUEUE`,
      {
        'connect.jms.url': stompUrl,
        'connect.jms.error.policy': 'RETRY',
        'connect.jms.retry.interval': '1000',
        'connect.jms.max.retries': '-1',
        'connect.jms.timeout': '2000',
      },
    );
    worker = await runConnector(env, connector);

    await env.kafka.produce(
      t,
      range(0, 100).map((id) => ({ value: JSON.stringify({ id }) })),
    );
    expect(ids(await env.consumer.receive({ queue }, 100, 60_000, openwire))).toEqual(range(0, 100));

    await broker!.stop();
    await env.kafka.produce(
      t,
      range(100, 200).map((id) => ({ value: JSON.stringify({ id }) })),
    );
    await sleep(OUTAGE_MS);
    expect(worker.output()).toMatch(/cannot connect to stomp:\/\/127\.0\.0\.1:\d+/);
    await broker!.start();

    expect(ids(await env.consumer.receive({ queue }, 100, 90_000, openwire))).toEqual(range(100, 200));
    expect(await env.consumer.receive({ queue }, 1, 2_000, openwire)).toEqual([]);
    expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
  });
});
