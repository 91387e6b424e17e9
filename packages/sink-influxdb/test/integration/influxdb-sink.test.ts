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
  influxQl,
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

/** The consumer group of a sink connector, as Kafka Connect names it. */
const connectorGroup = (connector: Record<string, string>) => `connect-${connector['name']}`;

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

  it('Avro through the schema registry: ints are integer fields, doubles (even 3.0) float, booleans boolean; the Connect Timestamp is the time; replays overwrite, not duplicate', async () => {
    const t = await topic('influx-avro');
    const schema = {
      type: 'record',
      name: 'Reading',
      namespace: 'sluice.it',
      fields: [
        { name: 'sensor', type: 'string' },
        { name: 'count', type: 'int' },
        { name: 'big', type: 'long' },
        { name: 'temp', type: 'double' },
        { name: 'ok', type: 'boolean' },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'note', type: ['null', 'string'], default: null },
      ],
    };
    const avro = await registerAvroSchema(env.registryUrl, `${t}-value`, schema);
    const batch = [1, 2, 3].map((i) => ({
      value: encodeAvro(avro, {
        sensor: `s${i % 2}`,
        count: i,
        big: 5_000_000_000 + i,
        temp: 3,
        ok: i === 2,
        at: T0 + i,
        note: null,
      }),
    }));
    await env.kafka.produce(t, batch);
    const connector = influxConnector(
      env,
      uniqueName('c'),
      t,
      `INSERT INTO readings SELECT * FROM ${t} IGNORE at, sensor WITHTIMESTAMP at WITHTAG (sensor)`,
    );
    worker = await runConnector(env, connector, {
      'value.converter': 'io.confluent.connect.avro.AvroConverter',
      'value.converter.schema.registry.url': env.registryUrl,
    });
    await waitForPoints('readings', 3);
    expect(await fieldTypes(env, 'readings')).toEqual({
      big: 'integer',
      count: 'integer',
      ok: 'boolean',
      temp: 'float',
    });
    const rows = await points(env, 'readings');
    expect(rows).toEqual(
      [1, 2, 3].map((i) => ({
        time: (T0 + i) * 1e6,
        big: 5_000_000_000 + i,
        count: i,
        ok: i === 2,
        sensor: `s${i % 2}`,
        temp: 3,
      })),
    );
    // The same records again (a replay after a crash) land on the same series and times.
    await env.kafka.produce(t, batch);
    await waitFor(async () => (await env.kafka.committedRecords(connectorGroup(connector), t)) >= 6, {
      what: 'the replayed records committed',
    });
    expect(await points(env, 'readings')).toHaveLength(3);
  });

  it('JSON with schemas: tags (field, nested, alias, constant) and WITHTIMESTAMP of an ISO-8601 string at ns, µs, ms and s', async () => {
    const t = await topic('influx-units');
    const schema = {
      type: 'struct',
      fields: [
        { field: 'site', type: 'string', optional: false },
        {
          field: 'loc',
          type: 'struct',
          optional: false,
          fields: [{ field: 'room', type: 'string', optional: false }],
        },
        { field: 'at', type: 'string', optional: false },
        { field: 'level', type: 'float', optional: false },
        { field: 'n', type: 'int16', optional: false },
      ],
      optional: false,
    };
    const at = '2024-01-02T03:04:05.123456789Z';
    await env.kafka.produce(t, [
      { value: connectJson(schema, { site: 'oslo', loc: { room: 'r 1' }, at, level: 2, n: 4 }) },
    ]);
    const select = `SELECT level, n AS count FROM ${t}`;
    const tags = `WITHTAG (site, loc.room AS room, env=prod)`;
    const kcql = (['NANOSECONDS', 'MICROSECONDS', 'MILLISECONDS', 'SECONDS'] as const)
      .map((unit) => `INSERT INTO u_${unit} ${select} WITHTIMESTAMP at TIMESTAMPUNIT = ${unit} ${tags}`)
      .join(';');
    worker = await runConnector(env, influxConnector(env, uniqueName('c'), t, kcql), {
      'value.converter.schemas.enable': 'true',
    });
    await waitForPoints('u_SECONDS', 1);
    const seconds = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;
    const expected = { NANOSECONDS: 123456789, MICROSECONDS: 123456000, MILLISECONDS: 123000000, SECONDS: 0 };
    for (const [unit, nanos] of Object.entries(expected)) {
      await waitForPoints(`u_${unit}`, 1);
      const series = await influxQl(env, `SELECT * FROM u_${unit}`);
      // InfluxQL's JSON numbers are doubles; the exact time is checked as text through a time range.
      const exact = await influxQl(
        env,
        `SELECT count FROM u_${unit} WHERE time = ${BigInt(seconds) * 1_000_000_000n + BigInt(nanos)}`,
      );
      expect(exact, unit).toHaveLength(1);
      expect(series[0]!.columns).toEqual(['time', 'count', 'env', 'level', 'room', 'site']);
      expect(series[0]!.values[0]!.slice(1)).toEqual([4, 'prod', 2, 'r 1', 'oslo']);
    }
    expect(await fieldTypes(env, 'u_NANOSECONDS')).toEqual({ count: 'integer', level: 'float' });
  });

  it("PROPERTIES('explode'): one point per array element, with the record's tags (JSON text through the StringConverter)", async () => {
    const t = await topic('influx-explode');
    await env.kafka.produce(t, [
      {
        value: JSON.stringify({
          device: 'd1',
          readings: [
            { at: T0, metric: 'temp', value: 20.5 },
            { at: T0 + 1000, metric: 'temp', value: 21.25 },
            { at: T0, metric: 'hum', value: 40.5 },
          ],
        }),
      },
    ]);
    const kcql = `INSERT INTO explode SELECT value FROM ${t} WITHTIMESTAMP at WITHTAG (device, metric) PROPERTIES('explode'='readings')`;
    worker = await runConnector(env, influxConnector(env, uniqueName('c'), t, kcql), {
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    });
    await waitForPoints('explode', 3);
    expect(await points(env, 'explode')).toEqual([
      { time: T0 * 1e6, device: 'd1', metric: 'hum', value: 40.5 },
      { time: T0 * 1e6, device: 'd1', metric: 'temp', value: 20.5 },
      { time: (T0 + 1000) * 1e6, device: 'd1', metric: 'temp', value: 21.25 },
    ]);
  });

  it('a field type conflict sends exactly that record to the dead letter queue while its neighbours arrive; so does a tombstone', async () => {
    const t = await topic('influx-conflict');
    const dlq = uniqueName('influx-dlq');
    // Schemaless JSON: integers are integer fields; 1.5 is a float, which InfluxDB refuses for `v`.
    await env.kafka.produce(t, [
      { value: JSON.stringify({ at: T0 + 1, v: 1 }) },
      { value: JSON.stringify({ at: T0 + 2, v: 1.5 }) },
      { value: JSON.stringify({ at: T0 + 3, v: 3 }) },
      { key: 'gone', value: null },
      { value: JSON.stringify({ at: T0 + 4, v: 'text' }) },
      { value: JSON.stringify({ at: T0 + 5, v: 5 }) },
    ]);
    const connector = influxConnector(
      env,
      uniqueName('c'),
      t,
      `INSERT INTO conflict SELECT v FROM ${t} WITHTIMESTAMP at`,
      {
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': dlq,
        'errors.deadletterqueue.topic.replication.factor': '1',
        'errors.deadletterqueue.context.headers.enable': 'true',
      },
    );
    worker = await runConnector(env, connector);
    const dead = await env.kafka.consume(dlq, 3);
    // Records refused while mapping (the tombstone) are reported before those InfluxDB refused.
    const byOffset = dead.sort(
      (a, b) => Number(a.headers['__connect.errors.offset']) - Number(b.headers['__connect.errors.offset']),
    );
    expect(byOffset.map((d) => (d.value === null ? null : JSON.parse(d.value.toString())))).toEqual([
      { at: T0 + 2, v: 1.5 },
      null,
      { at: T0 + 4, v: 'text' },
    ]);
    expect(byOffset[0]!.headers['__connect.errors.exception.message']).toMatch(
      /field type conflict: input field "v" on measurement "conflict"/,
    );
    expect(byOffset[1]!.headers['__connect.errors.exception.message']).toMatch(/tombstone/);
    expect((await points(env, 'conflict')).map((p) => p['v'])).toEqual([1, 3, 5]);
    expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
  });

  it('the InfluxDB 2.x keys write through /api/v2/write (org, bucket, token; against the 1.8 server)', async () => {
    const t = await topic('influx-v2');
    await env.kafka.produce(t, [{ value: JSON.stringify({ at: T0, v: 1.5 }) }]);
    const connector = influxConnector(
      env,
      uniqueName('c'),
      t,
      `INSERT INTO v2 SELECT v FROM ${t} WITHTIMESTAMP at TIMESTAMPUNIT = MILLISECONDS`,
    );
    delete connector['connect.influx.db'];
    Object.assign(connector, {
      'connect.influx.org': 'sluice',
      'connect.influx.bucket': `${env.database}/autogen`,
      'connect.influx.token': 'user:password',
    });
    worker = await runConnector(env, connector);
    await waitForPoints('v2', 1);
    expect(await points(env, 'v2')).toEqual([{ time: T0 * 1e6, v: 1.5 }]);
  });

  it('a missing database stops the task with the reason, even under RETRY with unlimited retries', async () => {
    const t = await topic('influx-nodb');
    const connector = influxConnector(env, uniqueName('c'), t, `INSERT INTO m SELECT v FROM ${t}`, {
      'connect.influx.db': `${env.database}_missing`,
      'connect.influx.error.policy': 'RETRY',
      'connect.influx.max.retries': '-1',
      'connect.influx.retry.interval': '500',
    });
    worker = await runConnector(env, connector);
    // Produced once the task runs, so that its first put is what fails it.
    await env.kafka.produce(t, [{ value: JSON.stringify({ v: 1 }) }]);
    const failed = await waitFor(
      async () => {
        const task = (await worker!.status(connector.name)).tasks[0]!;
        return task.state === 'FAILED' ? task : false;
      },
      { what: 'the task FAILED' },
    );
    expect(failed.trace).toMatch(/database not found.*HTTP 404/);
    expect(failed.trace).toMatch(/Retrying cannot help/);
  });
});
