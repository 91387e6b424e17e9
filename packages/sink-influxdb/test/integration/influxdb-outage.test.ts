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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  influxConnector,
  influxQl,
  points,
  setUpInfluxIt,
  tearDownInfluxIt,
  type InfluxIt,
} from './harness.js';

// InfluxDB stopped for ~20 s in the middle of a stream under error.policy=RETRY: nothing is lost. The
// server stopped is this test's own (test-infra's private instance), never the shared one.

let shared: InfluxIt;
let env: InfluxIt;
let influx: PrivateInstance | undefined;
let worker: StandaloneWorker | undefined;

beforeAll(async () => {
  shared = await setUpInfluxIt();
  influx = await startPrivateInstance('influxdb');
  // The same harness, pointed at the private server.
  env = { ...shared, influxUrl: influx.info['url'] as string };
  await influxQl(env, `CREATE DATABASE "${env.database}"`);
});
afterAll(async () => {
  await worker?.stop();
  await influx?.dispose();
  await tearDownInfluxIt(shared);
});

const T0 = Date.UTC(2024, 0, 1);
const readings = (from: number, to: number, phase: string) =>
  range(from, to).map((id) => ({ value: JSON.stringify({ id, phase, at: T0 + id }) }));

describe('InfluxDB outage', () => {
  it('with RETRY, InfluxDB down for ~20 s mid-stream loses nothing', async () => {
    const t = await kafkaTopic(env, 'influx-outage');
    const connector = influxConnector(
      env,
      uniqueName('c'),
      t,
      `INSERT INTO outage SELECT id, phase FROM ${t} WITHTIMESTAMP at`,
      {
        'connect.influx.error.policy': 'RETRY',
        'connect.influx.retry.interval': '1000',
        'connect.influx.max.retries': '-1',
        'connect.influx.request.timeout.ms': '2000',
      },
    );
    worker = await runConnector(env, connector);
    await env.kafka.produce(t, readings(0, 100, 'before'));
    await waitFor(async () => (await points(env, 'outage')).length === 100, {
      what: 'the 100 points before the outage',
    });

    await influx!.stop();
    await env.kafka.produce(t, readings(100, 300, 'during'));
    await sleep(20_000);
    // Still running: transient errors go through RETRY, they do not fail the task.
    expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
    await influx!.start();

    await env.kafka.produce(t, readings(300, 350, 'after'));
    await waitFor(async () => (await points(env, 'outage')).length === 350, {
      what: 'all 350 points after the outage',
      timeoutMs: 90_000,
    });
    const ids = (await points(env, 'outage')).map((p) => p['id'] as number).sort((a, b) => a - b);
    expect(ids).toEqual(range(0, 350));
    expect(worker.output()).toMatch(/Error policy RETRY: redelivering after 1000 ms/);
    expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
  }, 240_000);
});
