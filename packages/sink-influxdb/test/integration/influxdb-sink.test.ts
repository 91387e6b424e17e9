import {
  connectJson,
  encodeAvro,
  kafkaTopic,
  registerAvroSchema,
  runConnector,
  uniqueName,
  waitFor,
  type StandaloneWorker,
} from '@sluice/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fieldTypes,
  influxConnector,
  points,
  setUpInfluxIt,
  tearDownInfluxIt,
  type InfluxIt,
} from './harness.js';

// End to end: real Kafka → `sluice standalone` (converters, engine, this sink) → InfluxDB 1.8, read
// back with InfluxQL.

let env: InfluxIt;
let worker: StandaloneWorker | undefined;

beforeAll(async () => {
  env = await setUpInfluxIt();
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await tearDownInfluxIt(env);
});

const topic = (prefix: string) => kafkaTopic(env, prefix);
const waitForPoints = (measurement: string, n: number, timeoutMs = 60_000) =>
  waitFor(async () => (await points(env, measurement)).length >= n, {
    what: `${n} points in ${measurement}`,
    timeoutMs,
  });

const T0 = Date.UTC(2024, 0, 1); // ms

describe('InfluxDB sink end to end', () => {
  it('runs the Stream Reactor docs examples unchanged but for the host and topic names; two statements on one topic write two points', async () => {
    const [a, b, c] = [await topic('topicA'), await topic('topicB'), await topic('topicC')];
    await env.kafka.produce(a, [{ value: JSON.stringify({ from: 'x', to: 'y', value: 1.5 }) }]);
    await env.kafka.produce(b, [{ value: JSON.stringify({ x: 10, y: T0, c: 'c1', z: true }) }]);
    await env.kafka.produce(c, [
      { value: JSON.stringify({ ptype: 'pump', pid: 7, time: T0 + 5, flow: 2.25 }) },
    ]);
    // docs.lenses.io/connectors/sink/influx and spec §3.2; each example on its own topic or measurement.
    const kcql = [
      `INSERT INTO measureA SELECT * FROM ${a}`,
      // The docs write `Influx=rulz!`; `!` is not a KCQL name character, so Sluice's parser refuses it.
      `INSERT INTO measureTags SELECT * FROM ${a} WITHTAG (DataMountaineer=awesome, Influx=rulz)`,
      // The docs write `WITHTAG (from, to, …)`; FROM is a KCQL keyword, back-ticked here.
      'INSERT INTO measureFromTo SELECT * FROM ' + a + ' WITHTAG (`from`, to, provider=DataMountaineer)',
      `INSERT INTO measureB SELECT x AS a, y AS b, c FROM ${b} WITHTIMESTAMP y`,
      `INSERT INTO measureSys SELECT x AS a, y AS b, z FROM ${b} WITHTIMESTAMP sys_time()`,
      `INSERT INTO m SELECT * FROM ${c} IGNORE ptype, pid WITHTIMESTAMP time WITHTAG (ptype, pid)`,
    ].join(';');
    worker = await runConnector(env, influxConnector(env, uniqueName('c'), [a, b, c].join(','), kcql));
    await waitForPoints('m', 1);
    await waitForPoints('measureSys', 1);
    await waitForPoints('measureA', 1);
    expect(await points(env, 'measureA')).toEqual([
      { time: expect.any(Number), from: 'x', to: 'y', value: 1.5 },
    ]);
    const [tagged] = await points(env, 'measureTags');
    expect(tagged).toMatchObject({ DataMountaineer: 'awesome', Influx: 'rulz', value: 1.5 });
    const [fromTo] = await points(env, 'measureFromTo');
    expect(fromTo).toMatchObject({ from: 'x', to: 'y', provider: 'DataMountaineer', value: 1.5 });
    expect(await points(env, 'measureB')).toEqual([{ time: T0 * 1e6, a: 10, b: T0, c: 'c1' }]);
    expect(await points(env, 'measureSys')).toEqual([{ time: expect.any(Number), a: 10, b: T0, z: true }]);
    // The `time` field itself cannot be stored by InfluxDB: it is the point's time.
    expect(await points(env, 'm')).toEqual([{ time: (T0 + 5) * 1e6, ptype: 'pump', pid: '7', flow: 2.25 }]);
    expect(await fieldTypes(env, 'm')).toEqual({ flow: 'float' });
  });
});
