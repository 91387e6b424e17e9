import {
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
import { startPrivateInstance } from '@sluice/test-infra';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Subscriber,
  mqttConnector,
  retainedMessages,
  setUpMqttIt,
  tearDownMqttIt,
  type MqttIt,
} from './harness.js';

// End to end: real Kafka → `sluice standalone` (converters, engine, this sink) → Mosquitto → a subscriber.

let env: MqttIt;
let worker: StandaloneWorker | undefined;
const subscribers: Subscriber[] = [];

beforeAll(async () => {
  env = await setUpMqttIt();
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  for (const s of subscribers.splice(0)) await s.close();
});
afterAll(async () => {
  await tearDownMqttIt(env);
});

async function subscribe(filter: string, qos: 0 | 1 | 2 = 1): Promise<Subscriber> {
  const s = await Subscriber.start(env.mqttUrl, filter, qos);
  subscribers.push(s);
  return s;
}

const text = (m: { payload: Buffer }) => m.payload.toString('utf8');

describe('MQTT sink end to end', () => {
  it('schemaless JSON: a select list with aliases and nested paths is published as JSON (Stream Reactor ≤ 8 projection)', async () => {
    const t = await kafkaTopic(env, 'mqtt-json');
    const target = uniqueName('it/json');
    const sub = await subscribe(target);
    await env.kafka.produce(t, pumpMessages());
    worker = await runConnector(
      env,
      mqttConnector(
        env,
        uniqueName('c'),
        t,
        `INSERT INTO ${target} SELECT id, name AS label, big, location.lat FROM ${t}`,
      ),
    );
    const got = await sub.waitForCount(3);
    expect(got.map((m) => [m.topic, text(m)])).toEqual(
      [1, 2, 3].map((i) => [
        target,
        `{"id":${i},"label":"pump-${i}","big":${5_000_000_000 + i},"lat":${50 + i}}`,
      ]),
    );
  });

  it('JSON text through the StringConverter and SELECT * is published byte for byte (≥ 9 pass-through)', async () => {
    const t = await kafkaTopic(env, 'mqtt-text');
    const target = uniqueName('it/text');
    const sub = await subscribe(target);
    const values = ['{ "kept":  "as written" }', 'not JSON at all', '42'];
    await env.kafka.produce(
      t,
      values.map((value) => ({ value })),
    );
    worker = await runConnector(
      env,
      mqttConnector(env, uniqueName('c'), t, `INSERT INTO ${target} SELECT * FROM ${t}`),
      {
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      },
    );
    expect((await sub.waitForCount(3)).map(text)).toEqual(values);
  });

  it('Avro through the schema registry: the Struct is published as JSON with exact longs, epoch-millisecond timestamps, base64 bytes', async () => {
    const t = await kafkaTopic(env, 'mqtt-avro');
    const target = uniqueName('it/avro');
    const sub = await subscribe(target);
    const avro = await registerAvroSchema(env.registryUrl, `${t}-value`, readingAvroSchema);
    await env.kafka.produce(t, [
      {
        value: encodeAvro(avro, {
          sensorID: 's1',
          count: 4_000_000_000,
          at: Date.UTC(2024, 0, 1, 0, 0, 3),
          raw: Buffer.from([3, 4]),
          location: { lat: 51.5, lon: -0.12 },
          tags: ['a', 'b'],
          attrs: { x: 3 },
          note: null,
        }),
      },
    ]);
    worker = await runConnector(
      env,
      mqttConnector(env, uniqueName('c'), t, `INSERT INTO ${target} SELECT * FROM ${t}`),
      {
        'value.converter': 'io.confluent.connect.avro.AvroConverter',
        'value.converter.schema.registry.url': env.registryUrl,
      },
    );
    const [m] = await sub.waitForCount(1);
    expect(text(m!)).toBe(
      '{"sensorID":"s1","count":4000000000,"at":1704067203000,"raw":"AwQ=",' +
        '"location":{"lat":51.5,"lon":-0.12},"tags":["a","b"],"attrs":{"x":3},"note":null}',
    );
  });

  it('dynamic targets: the record key, the Kafka topic, a value field (≥ 9 property) and WITHTARGET (≤ 8)', async () => {
    const byKey = await kafkaTopic(env, 'mqtt-key');
    const byTopic = await kafkaTopic(env, 'mqtt-topic');
    const byField = await kafkaTopic(env, 'mqtt-field');
    const byWithTarget = await kafkaTopic(env, 'mqtt-withtarget');
    const root = uniqueName('it/dyn');
    const sub = await subscribe(`${root}/#`);
    const topicSub = await subscribe(byTopic);
    await env.kafka.produce(byKey, [{ key: `${root}/key/a`, value: JSON.stringify({ v: 1 }) }]);
    await env.kafka.produce(byTopic, [{ value: JSON.stringify({ v: 2 }) }]);
    await env.kafka.produce(byField, [
      { value: JSON.stringify({ v: 3, meta: { routing: { target: `${root}/field/x` } } }) },
      { value: JSON.stringify({ v: 4, meta: { routing: { target: `${root}/field/y` } } }) },
    ]);
    await env.kafka.produce(byWithTarget, [{ value: JSON.stringify({ v: 5, dest: `${root}/withtarget` }) }]);
    const kcql = [
      `INSERT INTO _key SELECT * FROM ${byKey}`,
      `INSERT INTO _topic SELECT * FROM ${byTopic}`,
      `INSERT INTO meta.routing.target SELECT * FROM ${byField} PROPERTIES('mqtt.target.from.field'='true')`,
      `INSERT INTO \`$field\` SELECT v FROM ${byWithTarget} WITHTARGET = dest`,
    ].join('; ');
    worker = await runConnector(
      env,
      mqttConnector(env, uniqueName('c'), [byKey, byTopic, byField, byWithTarget].join(','), kcql),
    );
    const got = await sub.waitForCount(4);
    expect(got.map((m) => [m.topic, text(m)]).sort()).toEqual(
      [
        [`${root}/key/a`, '{"v":1}'],
        [`${root}/field/x`, `{"v":3,"meta":{"routing":{"target":"${root}/field/x"}}}`],
        [`${root}/field/y`, `{"v":4,"meta":{"routing":{"target":"${root}/field/y"}}}`],
        [`${root}/withtarget`, '{"v":5}'],
      ].sort(),
    );
    expect((await topicSub.waitForCount(1)).map((m) => [m.topic, text(m)])).toEqual([[byTopic, '{"v":2}']]);
  });

  it('tombstones are skipped by default, and clear retained messages with tombstone.clears.retained', async () => {
    const t = await kafkaTopic(env, 'mqtt-tombstone');
    const root = uniqueName('it/retained');
    await env.kafka.produce(t, [
      { key: `${root}/a`, value: JSON.stringify({ state: 'on' }) },
      { key: `${root}/b`, value: JSON.stringify({ state: 'off' }) },
      { key: `${root}/a`, value: null },
    ]);
    const kcql = `INSERT INTO _key SELECT * FROM ${t}`;
    const retained = async () =>
      (await retainedMessages(env.mqttUrl, `${root}/#`)).map((m) => [m.topic, text(m)]).sort();
    // Default: the tombstone is skipped, both retained messages stay, and the task keeps running.
    const first = mqttConnector(env, uniqueName('c'), t, kcql, { 'connect.mqtt.retained.messages': 'true' });
    worker = await runConnector(env, first);
    await waitFor(async () => (await retained()).length === 2, { what: 'two retained messages' });
    await sleep(2_000);
    expect(await retained()).toEqual([
      [`${root}/a`, '{"state":"on"}'],
      [`${root}/b`, '{"state":"off"}'],
    ]);
    expect((await worker.status(first.name!)).tasks[0]!.state).toBe('RUNNING');
    await worker.stop();

    // With the flag, a new connector replays the topic: the tombstone clears the retained message of a.
    const second = mqttConnector(env, uniqueName('c'), t, kcql, {
      'connect.mqtt.retained.messages': 'true',
      'connect.mqtt.tombstone.clears.retained': 'true',
    });
    worker = await runConnector(env, second);
    await waitFor(
      async () => JSON.stringify(await retained()) === JSON.stringify([[`${root}/b`, '{"state":"off"}']]),
      {
        what: `only ${root}/b left with a retained message`,
      },
    );
  });

  it('a record without a usable target goes to the dead letter queue while the rest arrive', async () => {
    const t = await kafkaTopic(env, 'mqtt-poison');
    const dlq = uniqueName('mqtt-dlq');
    const root = uniqueName('it/poison');
    const sub = await subscribe(`${root}/#`);
    await env.kafka.produce(t, [
      { value: JSON.stringify({ to: `${root}/1`, v: 'ok' }) },
      { value: JSON.stringify({ to: `${root}/+/wildcard`, v: 'poison' }) },
      { value: JSON.stringify({ v: 'no target' }) },
      { value: JSON.stringify({ to: `${root}/4`, v: 'ok' }) },
    ]);
    const connector = mqttConnector(
      env,
      uniqueName('c'),
      t,
      `INSERT INTO to SELECT * FROM ${t} PROPERTIES('mqtt.target.from.field'='true')`,
      {
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': dlq,
        'errors.deadletterqueue.topic.replication.factor': '1',
        'errors.deadletterqueue.context.headers.enable': 'true',
      },
    );
    worker = await runConnector(env, connector);
    expect((await sub.waitForCount(2)).map((m) => m.topic)).toEqual([`${root}/1`, `${root}/4`]);
    const dead = await env.kafka.consume(dlq, 2);
    expect(dead.map((d) => JSON.parse(d.value!.toString()).v)).toEqual(['poison', 'no target']);
    expect(dead[0]!.headers['__connect.errors.exception.message']).toMatch(/it contains a wildcard/);
    expect(dead[1]!.headers['__connect.errors.exception.message']).toMatch(/field 'to'/);
    expect((await worker.status(connector.name!)).tasks[0]!.state).toBe('RUNNING');
  });

  it('with RETRY and QoS 1, a broker outage of ~20 s mid-stream loses nothing', async () => {
    // A broker of its own on its own port: stopping the shared one would break every other test using
    // it. It keeps retained messages across its restart, as a broker with persistence does.
    const broker = await startPrivateInstance('mosquitto');
    const mqttUrl = broker.info.url as string;
    try {
      const t = await kafkaTopic(env, 'mqtt-outage');
      const root = uniqueName('it/outage');
      // Each record goes to its own retained topic, so that what was published while this subscriber
      // was away can still be counted afterwards.
      const connector = mqttConnector(
        { ...env, mqttUrl },
        uniqueName('c'),
        t,
        `INSERT INTO _key SELECT * FROM ${t}`,
        {
          'connect.mqtt.retained.messages': 'true',
          'connect.mqtt.error.policy': 'RETRY',
          'connect.mqtt.retry.interval': '1000',
          'connect.mqtt.max.retries': '-1',
        },
      );
      const produce = (from: number, to: number, phase: string) =>
        env.kafka.produce(
          t,
          range(from, to).map((id) => ({ key: `${root}/${id}`, value: JSON.stringify({ id, phase }) })),
        );
      worker = await runConnector(env, connector);
      const live = await Subscriber.start(mqttUrl, `${root}/#`);
      subscribers.push(live);
      await produce(0, 100, 'before');
      await live.waitForCount(100);

      await broker.stop();
      await produce(100, 300, 'during');
      await sleep(20_000); // the outage itself
      await broker.start(); // same port, same retained messages
      await produce(300, 350, 'after');

      const ids = new Set<number>();
      await waitFor(
        async () => {
          for (const m of await retainedMessages(mqttUrl, `${root}/#`))
            ids.add((JSON.parse(text(m)) as { id: number }).id);
          return range(0, 350).every((id) => ids.has(id));
        },
        {
          what: 'all 350 records, before, during and after the outage',
          timeoutMs: 120_000,
          intervalMs: 2_000,
        },
      );
      expect((await worker.status(connector.name!)).tasks[0]!.state).toBe('RUNNING');
      expect(worker.output()).toMatch(/Error policy RETRY: redelivering/);
    } finally {
      await worker?.stop();
      worker = undefined;
      for (const s of subscribers.splice(0)) await s.close();
      await broker.dispose();
    }
  }, 240_000);

  it('MQTT 5 with QoS 2 delivers exactly the records, in order', async () => {
    const t = await kafkaTopic(env, 'mqtt-v5');
    const target = uniqueName('it/v5');
    const sub = await subscribe(target, 2);
    await env.kafka.produce(
      t,
      range(0, 500).map((id) => ({ value: JSON.stringify({ id }) })),
    );
    worker = await runConnector(
      env,
      mqttConnector(env, uniqueName('c'), t, `INSERT INTO ${target} SELECT * FROM ${t}`, {
        'connect.mqtt.protocol.version': '5',
        'connect.mqtt.service.quality': '2',
      }),
    );
    const got = await sub.waitForCount(500);
    await sleep(1_000);
    expect(got.map((m) => (JSON.parse(text(m)) as { id: number }).id)).toEqual(range(0, 500));
    expect(got.every((m) => m.qos === 2)).toBe(true);
  });

  // QoS 0 messages are encoded by the sink and written many to a socket write: the broker must see
  // every one as its own well-formed PUBLISH, for both protocol versions. 1,000 messages fit
  // Mosquitto's queue for a subscriber, so none may be dropped on the way out either.
  it.each([
    ['3.1.1', '3.1.1'],
    ['5', '5'],
  ])(
    'QoS 0 over MQTT %s: every record arrives whole and in order, and the last one stays retained',
    async (_, version) => {
      const t = await kafkaTopic(env, 'mqtt-qos0');
      const target = uniqueName('it/qos0');
      const sub = await subscribe(target, 1);
      const pad = 'ü'.repeat(100);
      await env.kafka.produce(
        t,
        range(0, 1000).map((id) => ({ value: JSON.stringify({ id, pad }) })),
      );
      worker = await runConnector(
        env,
        mqttConnector(env, uniqueName('c'), t, `INSERT INTO ${target} SELECT * FROM ${t}`, {
          'connect.mqtt.service.quality': '0',
          'connect.mqtt.retained.messages': 'true',
          'connect.mqtt.protocol.version': version!,
          'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
        }),
      );
      const got = await sub.waitForCount(1000);
      await sleep(500);
      expect(got).toHaveLength(1000);
      expect(got.map((m) => JSON.parse(text(m)) as { id: number; pad: string })).toEqual(
        range(0, 1000).map((id) => ({ id, pad })),
      );
      expect(got.every((m) => m.qos === 0 && m.topic === target)).toBe(true);
      const retained = await retainedMessages(env.mqttUrl, target);
      expect(retained.map((m) => JSON.parse(text(m)) as { id: number })).toEqual([{ id: 999, pad }]);
    },
  );
});
