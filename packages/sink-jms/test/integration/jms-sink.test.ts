import avro from 'avsc';
import {
  encodeAvro,
  pumpMessages,
  readingAvroSchema,
  registerAvroSchema,
  runConnector,
  uniqueName,
  kafkaTopic,
  type StandaloneWorker,
} from '@sluice/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf, jmsConnector, setUpJmsIt, tearDownJmsIt, type JmsIt, type JmsMessage } from './harness.js';

// End to end: real Kafka → `sluice standalone` (converters, engine, this sink) → ActiveMQ over STOMP →
// a Java application reading with ActiveMQ's JMS client (test-infra's jms-consumer).

let env: JmsIt;
let worker: StandaloneWorker | undefined;

beforeAll(async () => {
  env = await setUpJmsIt();
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await tearDownJmsIt(env);
});

const PERSISTENT = 2;
/** One durable subscription per JMS topic (a subscription name moved to another topic loses its messages). */
const subscriptionOf = (topic: string) => `sub-${topic}`;

/** Registers the durable subscription `fromBoth` reads, before anything is sent to the topic. */
async function subscribe(topic: string): Promise<void> {
  await env.consumer.subscribe(topic, subscriptionOf(topic));
}

/**
 * The messages of the queue `name` and of the JMS topic `name` (its durable subscription): the same
 * type, body and properties on both. Returns the queue's.
 */
async function fromBoth(name: string, count: number): Promise<JmsMessage[]> {
  const queued = await env.consumer.receive({ queue: name }, count);
  const published = await env.consumer.receive({ topic: name, subscription: subscriptionOf(name) }, count);
  expect(queued.map((m) => m.destination)).toEqual(queued.map(() => `queue://${name}`));
  expect(published.map((m) => m.destination)).toEqual(published.map(() => `topic://${name}`));
  const same = (m: JmsMessage) => [m.type, m.body, m.properties, m.deliveryMode];
  expect(published.map(same)).toEqual(queued.map(same));
  return queued;
}

const props = (m: JmsMessage) =>
  Object.fromEntries(Object.entries(m.properties).map(([k, v]) => [k, v.value]));

describe('JMS sink end to end (ActiveMQ, read by a Java JMS consumer)', () => {
  it('schemaless JSON with a select list → TextMessage of the projected JSON on a queue; key, partition, headers and connect.jms.headers as properties', async () => {
    const t = await kafkaTopic(env, 'jms-json');
    const queue = uniqueName('it.json');
    await env.kafka.produce(
      t,
      pumpMessages().map((m, i) => ({
        ...m,
        key: `pump-${i + 1}`,
        headers: { origin: 'plant-a', seq: String(i) },
      })),
    );
    worker = await runConnector(
      env,
      jmsConnector(
        env,
        uniqueName('c'),
        t,
        `INSERT INTO ${queue} SELECT id, name AS label, big, location.lat FROM ${t} WITHTYPE QUEUE`,
        {
          'connect.jms.headers': `${queue}=JMSType:PumpReading,route:kafka`,
        },
      ),
    );
    const got = await env.consumer.receive({ queue }, 3);
    expect(got.map((m) => [m.type, m.body])).toEqual(
      [1, 2, 3].map((i) => [
        'TextMessage',
        `{"id":${i},"label":"pump-${i}","big":${5_000_000_000 + i},"lat":${50 + i}}`,
      ]),
    );
    expect(got[0]!).toMatchObject({
      destination: `queue://${queue}`,
      jmsType: 'PumpReading',
      correlationId: 'pump-1',
      deliveryMode: PERSISTENT,
    });
    expect(props(got[0]!)).toEqual({
      JMSXGroupID: '0',
      JMSXGroupSeq: 0,
      KafkaKey: 'pump-1',
      origin: 'plant-a',
      seq: '0',
      route: 'kafka',
    });
    expect(got[0]!.properties['KafkaKey']!.type).toBe('String');
  });

  it('Avro through the schema registry → JSON (TextMessage), AVRO (BytesMessage, raw Avro) and MAP (typed MapMessage), each on a queue and on a topic with a durable subscriber', async () => {
    const t = await kafkaTopic(env, 'jms-avro');
    const dest = {
      JSON: uniqueName('it.avro-json'),
      AVRO: uniqueName('it.avro-avro'),
      MAP: uniqueName('it.avro-map'),
    };
    for (const name of Object.values(dest)) await subscribe(name);
    const schema = await registerAvroSchema(env.registryUrl, `${t}-value`, readingAvroSchema);
    const reading = (n: number) => ({
      sensorID: `s${n}`,
      count: 5_000_000_000 + n,
      at: Date.UTC(2024, 0, 1, 0, 0, n),
      raw: Buffer.from([n, 0, 255]),
      location: { lat: 51.5, lon: n / 10 },
      tags: ['a', 'b'],
      attrs: { x: n },
      note: n === 1 ? null : 'checked',
    });
    await env.kafka.produce(
      t,
      [1, 2].map((n) => ({ value: encodeAvro(schema, reading(n)) })),
    );
    worker = await runConnector(
      env,
      jmsConnector(
        env,
        uniqueName('c'),
        t,
        Object.entries(dest)
          .flatMap(([format, name]) =>
            ['QUEUE', 'TOPIC'].map(
              (type) => `INSERT INTO ${name} SELECT * FROM ${t} WITHFORMAT ${format} WITHTYPE ${type}`,
            ),
          )
          .join(';'),
      ),
      {
        'value.converter': 'io.confluent.connect.avro.AvroConverter',
        'value.converter.schema.registry.url': env.registryUrl,
      },
    );

    const json = await fromBoth(dest.JSON, 2);
    expect(json.map((m) => m.type)).toEqual(['TextMessage', 'TextMessage']);
    expect(JSON.parse(json[0]!.body as string)).toEqual({
      sensorID: 's1',
      count: 5_000_000_001,
      at: Date.UTC(2024, 0, 1, 0, 0, 1),
      raw: Buffer.from([1, 0, 255]).toString('base64'),
      location: { lat: 51.5, lon: 0.1 },
      tags: ['a', 'b'],
      attrs: { x: 1 },
      note: null,
    });

    const avroMessages = await fromBoth(dest.AVRO, 2);
    expect(avroMessages.map((m) => m.type)).toEqual(['BytesMessage', 'BytesMessage']);
    // Raw Avro binary (no magic byte, no schema id), readable with the record's own schema.
    const type = avro.Type.forSchema(readingAvroSchema as unknown as avro.Schema);
    expect(avroMessages.map((m) => type.fromBuffer(bytesOf(m)) as unknown)).toEqual([1, 2].map(reading));

    const maps = await fromBoth(dest.MAP, 2);
    expect(maps[0]!.type).toBe('MapMessage');
    expect(maps[1]!.body).toEqual({
      sensorID: { type: 'String', value: 's2' },
      count: { type: 'Long', value: '5000000002' },
      at: { type: 'Long', value: String(Date.UTC(2024, 0, 1, 0, 0, 2)) },
      raw: { type: 'String', value: Buffer.from([2, 0, 255]).toString('base64') },
      location: {
        type: 'HashMap',
        value: { lat: { type: 'Double', value: 51.5 }, lon: { type: 'Double', value: 0.2 } },
      },
      tags: {
        type: 'ArrayList',
        value: [
          { type: 'String', value: 'a' },
          { type: 'String', value: 'b' },
        ],
      },
      attrs: { type: 'HashMap', value: { x: { type: 'Integer', value: 2 } } },
      note: { type: 'String', value: 'checked' },
    });
    expect(maps[0]!.body).toMatchObject({ note: { type: 'null', value: null } });
  });

  it('TEXT through the StringConverter → TextMessage byte for byte; BINARY → BytesMessage; each on a queue and on a topic with a durable subscriber', async () => {
    const textTopic = await kafkaTopic(env, 'jms-text');
    const binaryTopic = await kafkaTopic(env, 'jms-binary');
    const textDest = uniqueName('it.text');
    const binaryDest = uniqueName('it.binary');
    await subscribe(textDest);
    await subscribe(binaryDest);
    const texts = ['{ "kept":  "as written" }', 'not JSON at all: <xml/>', 'ünïcødé ✓'];
    const blobs = [Buffer.from([0, 1, 2, 254, 255]), Buffer.from('plain'), Buffer.alloc(0)];
    await env.kafka.produce(
      textTopic,
      texts.map((value) => ({ value })),
    );
    await env.kafka.produce(
      binaryTopic,
      blobs.map((value) => ({ value })),
    );
    worker = await runConnector(
      env,
      {
        ...jmsConnector(
          env,
          uniqueName('c'),
          textTopic,
          ['QUEUE', 'TOPIC']
            .flatMap((type) => [
              `INSERT INTO ${textDest} SELECT * FROM ${textTopic} WITHFORMAT TEXT WITHTYPE ${type}`,
              `INSERT INTO ${binaryDest} SELECT * FROM ${binaryTopic} WITHFORMAT BINARY WITHTYPE ${type}`,
            ])
            .join(';'),
        ),
        topics: `${textTopic},${binaryTopic}`,
      },
      { 'value.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter' },
    );
    const text = await fromBoth(textDest, 3);
    expect(text.map((m) => [m.type, m.body])).toEqual(texts.map((t) => ['TextMessage', t]));
    const binary = await fromBoth(binaryDest, 3);
    expect(binary.map((m) => m.type)).toEqual(['BytesMessage', 'BytesMessage', 'BytesMessage']);
    expect(binary.map(bytesOf)).toEqual(blobs);
  });

  it('tombstones are skipped and a poison record goes to the dead letter queue while its neighbours arrive', async () => {
    const t = await kafkaTopic(env, 'jms-poison');
    const queue = uniqueName('it.poison');
    const dlq = uniqueName('jms-dlq');
    await env.kafka.produce(t, [
      { value: JSON.stringify('first') },
      { key: 'gone', value: null },
      { value: JSON.stringify({ not: 'text' }) },
      { value: JSON.stringify('last') },
    ]);
    const connector = jmsConnector(
      env,
      uniqueName('c'),
      t,
      `INSERT INTO ${queue} SELECT * FROM ${t} WITHFORMAT TEXT WITHTYPE QUEUE`,
      {
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': dlq,
        'errors.deadletterqueue.topic.replication.factor': '1',
        'errors.deadletterqueue.context.headers.enable': 'true',
      },
    );
    worker = await runConnector(env, connector);
    const got = await env.consumer.receive({ queue }, 2);
    expect(got.map((m) => m.body)).toEqual(['first', 'last']);
    expect(await env.consumer.receive({ queue }, 1, 1_000)).toEqual([]);
    const dead = await env.kafka.consume(dlq, 1);
    expect(dead.map((d) => JSON.parse(d.value!.toString()) as unknown)).toEqual([{ not: 'text' }]);
    expect(dead[0]!.headers['__connect.errors.exception.message']).toMatch(
      /offset 2: WITHFORMAT TEXT sends the value as it is, and this value is a Map/,
    );
    expect((await worker.status(connector.name)).tasks[0]!.state).toBe('RUNNING');
  });

  it("runs Stream Reactor's documented example unchanged but for the URL's scheme (and host, topic)", async () => {
    const orders = await kafkaTopic(env, 'orders');
    await env.kafka.produce(orders, [{ value: JSON.stringify({ id: 1, item: 'bolt', qty: 3 }) }]);
    // docs.lenses.io, JMS sink, "Example" — with connect.jms.url=stomp://… instead of tcp://activemq:61616.
    const example = {
      name: uniqueName('jms'),
      'connector.class': 'io.lenses.streamreactor.connect.jms.sink.JMSSinkConnector',
      'tasks.max': '1',
      topics: orders,
      'connect.jms.url': env.stompUrl,
      'connect.jms.initial.context.factory': 'org.apache.activemq.jndi.ActiveMQInitialContextFactory',
      'connect.jms.connection.factory': 'ConnectionFactory',
      'connect.jms.kcql': `INSERT INTO ${orders} SELECT * FROM ${orders} WITHTYPE QUEUE WITHFORMAT JSON`,
    };
    worker = await runConnector(env, example);
    const got = await env.consumer.receive({ queue: orders }, 1);
    expect(got.map((m) => [m.type, JSON.parse(m.body as string) as unknown])).toEqual([
      ['TextMessage', { id: 1, item: 'bolt', qty: 3 }],
    ]);
    for (const key of ['initial\\.context\\.factory', 'connection\\.factory']) {
      expect(worker.output()).toMatch(
        new RegExp(`connect\\.jms\\.${key} is set: JNDI has no meaning over STOMP`),
      );
    }
  });
});
