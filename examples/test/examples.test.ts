import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import cassandra from 'cassandra-driver';
import { request as coapRequest } from 'coap';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import mqtt, { type MqttClient } from 'mqtt';
import r from 'rethinkdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '@sluice/test-infra';

// The connector files of examples/ started unchanged with `sluice standalone`, as the README shows. Only
// the worker file is written beside them: examples/worker.properties with test-infra's Kafka address and a
// free REST port (8083 may be taken). The connector files name the stores at their default addresses on
// 127.0.0.1, which is where test-infra's shared servers listen unless SLUICE_INFRA_PORT_* moves them.
// Records carry this run's id (in `id` and `product`), so records of earlier runs on the demo topics do
// not count. What the examples' comments and the sinks' READMEs tell a user to create first (the Cassandra
// table, the InfluxDB database, a subscriber of the JMS topic) is created in the setup.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLES = [
  'examples/file-sink-json.properties',
  'examples/file-sink-json-map.json',
  'examples/file-sink-avro.json',
  'examples/mongodb/mongo-sink-json.properties',
  'examples/mongodb/mongo-sink-avro.json',
  'examples/mqtt/mqtt-sink-json.properties',
  'examples/mqtt/mqtt-sink-avro.json',
  'examples/cassandra/cassandra-sink-json.properties',
  'examples/cassandra/cassandra-sink-legacy.properties',
  'examples/coap/coap-sink-json.properties',
  'examples/coap/coap-sink-avro.json',
  'examples/elastic/elastic-sink-json.properties',
  'examples/elastic/elastic-sink-avro.json',
  'examples/influxdb/influx-sink-json.properties',
  'examples/influxdb/influx-sink-avro.json',
  'examples/jms/jms-sink-json.properties',
  'examples/jms/jms-sink-avro.json',
  'examples/rethinkdb/rethink-sink-json.properties',
];
const COUNT = 20;
const run = randomUUID().slice(0, 8);
const ids = Array.from({ length: COUNT }, (_, i) => `${run}-${i}`);
const ORDER = {
  type: 'record',
  name: 'Order',
  namespace: 'sluice.demo',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'product', type: 'string' },
    { name: 'quantity', type: 'int' },
    { name: 'price', type: 'double' },
  ],
} as const;
const order = (id: string, i: number) => ({
  id,
  product: `widget-${i}-${run}`,
  quantity: i + 1,
  price: 1.5 * i,
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, worker: Worker) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (worker.exited !== null)
      throw new Error(`the worker exited (${worker.exited}) before ${what}:\n${worker.output()}`);
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; worker output:\n${worker.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Worker {
  process: ChildProcess;
  exited: string | null;
  output(): string;
}

function startWorker(workerFile: string): Worker {
  const child = spawn(
    process.execPath,
    ['packages/core/bin/sluice.js', 'standalone', workerFile, ...EXAMPLES],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  const keep = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const worker: Worker = { process: child, exited: null, output: () => lines.slice(-40).join('\n') };
  child.on('exit', (code, signal) => (worker.exited = String(code ?? signal)));
  return worker;
}

/** The lines of `file` that name this run's ids, or undefined while some are missing. */
function linesOf(file: string): string[] | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes(run));
  return ids.every((id) => lines.some((l) => l.includes(`${id}`))) ? lines : undefined;
}

/** One message as test-infra's jms-consumer (a Java JMS client) received it. */
interface JmsMessage {
  type: string;
  jmsType: string | null;
  properties: Record<string, { type: string; value: unknown }>;
  /** Text, `{ base64 }` for bytes, typed entries for a map. */
  body: unknown;
}

/** A confirmable CoAP GET: the response code and payload of a resource on the server. */
function coapGet(url: string): Promise<{ code: string; payload: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port, pathname } = new URL(url);
    const req = coapRequest({ hostname, port: Number(port), pathname, method: 'GET', confirmable: true });
    req.on('response', (res: { code: string; payload: Buffer }) =>
      resolve({ code: res.code, payload: res.payload.toString('utf8') }),
    );
    req.on('error', reject);
    req.end();
  });
}

describe('examples/ run as written', () => {
  let worker: Worker;
  let mongo: MongoClient;
  let subscriber: MqttClient;
  const mqttMessages: { topic: string; payload: string }[] = [];
  let kafka: Kafka;
  let cql: cassandra.Client;
  let rethink: r.Connection;
  let coapUrl: string;
  let elasticUrl: string;
  let influxUrl: string;
  let jmsConsumerUrl: string;
  let openwireUrl: string;
  const jmsSubscription = `examples-${run}`;
  /** The end offset of sluice-demo-json once this run's records are on it. */
  let jsonEnd: number;

  beforeAll(async () => {
    const services = await ensureServices([
      'kafka',
      'schema-registry',
      'mongodb',
      'mosquitto',
      'cassandra',
      'coap',
      'elasticsearch',
      'influxdb',
      'activemq',
      'jms-consumer',
      'rethinkdb',
    ]);
    for (const [name, port] of [
      ['schema-registry', 8081],
      ['mongodb', 27017],
      ['mosquitto', 1883],
      ['cassandra', 9042],
      ['coap', 5683],
      ['elasticsearch', 9200],
      ['influxdb', 8086],
      ['activemq', 61613],
      ['rethinkdb', 28015],
    ] as const) {
      // The examples name the default addresses; a moved server cannot be reached without editing them.
      expect(services[name]!.port, `${name} must listen on its default port for the examples`).toBe(port);
    }
    const bootstrap = services['kafka']!.bootstrapServers as string;
    const registry = services['schema-registry']!.url as string;

    kafka = new Kafka({ clientId: 'examples-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: ['sluice-demo-json', 'sluice-demo-avro', 'rethink_topic'].map((topic) => ({
        topic,
        numPartitions: 1,
      })),
    });
    await admin.disconnect();

    // The Cassandra table of the examples' comments (both Cassandra examples write it).
    cql = new cassandra.Client({
      contactPoints: services['cassandra']!['contactPoints'] as string[],
      localDataCenter: services['cassandra']!['localDataCenter'] as string,
    });
    await cql.connect();
    await cql.execute(
      "CREATE KEYSPACE IF NOT EXISTS shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    );
    await cql.execute(
      'CREATE TABLE IF NOT EXISTS shop.orders (id text PRIMARY KEY, product text, quantity int, price decimal, created timestamp)',
    );
    // The InfluxDB sink writes to an existing database (the JSON example's comment).
    influxUrl = services['influxdb']!.url as string;
    const created = await fetch(`${influxUrl}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: 'CREATE DATABASE sluice_demo' }),
    });
    expect(created.ok, await created.clone().text()).toBe(true);
    // A JMS topic keeps messages only for the subscribers it has when they are sent.
    jmsConsumerUrl = services['jms-consumer']!.url as string;
    openwireUrl = services['activemq']!['openwireUrl'] as string;
    const subscribed = await fetch(
      `${jmsConsumerUrl}/subscribe?${new URLSearchParams({ broker: openwireUrl, topic: 'readings', subscription: jmsSubscription }).toString()}`,
      { method: 'POST' },
    );
    expect(subscribed.ok, await subscribed.clone().text()).toBe(true);
    coapUrl = services['coap']!.url as string;
    elasticUrl = services['elasticsearch']!.url as string;
    rethink = await r.connect({ host: services['rethinkdb']!.host, port: services['rethinkdb']!.port });

    mongo = await MongoClient.connect(services['mongodb']!.url as string);
    subscriber = await mqtt.connectAsync(services['mosquitto']!.url as string);
    subscriber.on('message', (topic, payload) => mqttMessages.push({ topic, payload: payload.toString() }));
    await subscriber.subscribeAsync(['sluice/demo/orders', 'sluice/demo/order-lines'], { qos: 1 });

    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-examples-'));
    const workerFile = path.join(dir, 'worker.properties');
    const port = await freePort();
    writeFileSync(
      workerFile,
      readFileSync(path.join(root, 'examples/worker.properties'), 'utf8')
        .replace(/^bootstrap\.servers=.*$/m, `bootstrap.servers=${bootstrap}`)
        .replace(/^listeners=.*$/m, `listeners=http://127.0.0.1:${port}`),
    );
    worker = startWorker(workerFile);
    const connectors = await until(
      'every example connector RUNNING',
      async () => {
        const status = await fetch(`http://127.0.0.1:${port}/connectors?expand=status`)
          .then((r) => r.json() as Promise<Record<string, { status: { connector: { state: string } } }>>)
          .catch(() => undefined);
        const states = Object.values(status ?? {}).map((c) => c.status.connector.state);
        return states.length === EXAMPLES.length && states.every((s) => s === 'RUNNING') ? status : undefined;
      },
      worker,
    );
    expect(Object.keys(connectors).sort()).toEqual(
      [
        'file-sink-avro',
        'file-sink-json',
        'file-sink-plain-map',
        'mongo-sink-avro',
        'mongo-sink-json',
        'mqtt-sink-avro',
        'mqtt-sink-json',
        'cassandra-sink-json',
        'cassandra-sink-legacy',
        'coap-sink-json',
        'coap-sink-avro',
        'elastic-sink-json',
        'elastic-sink-avro',
        'influx-sink-json',
        'influx-sink-avro',
        'jms-sink-json',
        'jms-sink-avro',
        'rethink-json',
      ].sort(),
    );

    // Avro values in Confluent's wire format: magic byte, the registered schema's id, the datum.
    const registered = await fetch(`${registry}/subjects/sluice-demo-avro-value/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(ORDER) }),
    });
    expect(registered.ok, await registered.clone().text()).toBe(true);
    const { id: schemaId } = (await registered.json()) as { id: number };
    const type = avro.Type.forSchema(ORDER as unknown as avro.Schema);
    const header = Buffer.alloc(5);
    header.writeInt32BE(schemaId, 1);

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'sluice-demo-json',
      messages: ids.map((id, i) => ({ key: id, value: JSON.stringify(order(id, i)) })),
    });
    await producer.send({
      topic: 'sluice-demo-avro',
      messages: ids.map((id, i) => ({
        key: id,
        value: Buffer.concat([header, type.toBuffer(order(id, i))]),
      })),
    });
    await producer.send({
      topic: 'rethink_topic',
      messages: ids.map((id, i) => ({ key: id, value: JSON.stringify(order(id, i)) })),
    });
    await producer.disconnect();
    const offsets = kafka.admin();
    await offsets.connect();
    jsonEnd = Number((await offsets.fetchTopicOffsets('sluice-demo-json'))[0]!.high);
    await offsets.disconnect();
  });

  afterAll(async () => {
    if (worker && worker.exited === null) {
      const exited = new Promise((resolve) => worker.process.once('exit', resolve));
      worker.process.kill('SIGTERM');
      await exited;
    }
    await subscriber?.endAsync();
    await mongo?.close();
    await cql?.shutdown();
    await rethink?.close();
    if (jmsConsumerUrl)
      await fetch(
        `${jmsConsumerUrl}/unsubscribe?${new URLSearchParams({ broker: openwireUrl, subscription: jmsSubscription }).toString()}`,
        { method: 'POST' },
      );
  });

  it('file sinks: JSON (properties), JSON by topics.regex (plain map), Avro (JSON file) write every record', async () => {
    for (const file of ['json.txt', 'json-regex.txt', 'avro.txt']) {
      const lines = await until(
        `${file} to hold every record`,
        () => linesOf(`/tmp/sluice-demo/${file}`),
        worker,
      );
      expect(lines.length, file).toBe(COUNT);
      expect(lines[0], file).toContain(`widget-0-${run}`);
    }
  });

  it('MongoDB: JSON upserted by PK id, Avro inserted, with their types', async () => {
    const db = mongo.db('sluice_demo');
    for (const collection of ['orders_json', 'orders_avro']) {
      const docs = await until(
        `${collection} to hold every record`,
        async () => {
          const found = await db
            .collection(collection)
            .find({ id: { $in: ids } })
            .toArray();
          return found.length === COUNT ? found : undefined;
        },
        worker,
      );
      const third = docs.find((d) => d['id'] === ids[2])!;
      expect(third, collection).toMatchObject({ product: order(ids[2]!, 2).product, quantity: 3, price: 3 });
      expect(typeof third['quantity'], collection).toBe('number');
    }
  });

  it('MQTT: JSON as it is, Avro as JSON of the selected fields', async () => {
    const on = (topic: string) =>
      mqttMessages
        .filter((m) => m.topic === topic && m.payload.includes(run))
        .map((m) => JSON.parse(m.payload) as object);
    const whole = await until(
      'MQTT sluice/demo/orders',
      () => (on('sluice/demo/orders').length >= COUNT ? on('sluice/demo/orders') : undefined),
      worker,
    );
    expect(whole).toContainEqual(order(ids[1]!, 1));
    const lines = await until(
      'MQTT sluice/demo/order-lines',
      () => (on('sluice/demo/order-lines').length >= COUNT ? on('sluice/demo/order-lines') : undefined),
      worker,
    );
    expect(lines).toContainEqual({ id: ids[1], product: order(ids[1]!, 1).product, quantity: 2 });
  });

  it('Cassandra: the 4B and the legacy (4A) example both write shop.orders, and commit past this run', async () => {
    const rows = await until(
      'shop.orders to hold every record',
      async () => {
        const rs = await cql.execute(
          'SELECT id, product, quantity, price FROM shop.orders WHERE id IN ?',
          [ids],
          {
            prepare: true,
          },
        );
        return rs.rows.length === COUNT ? rs.rows : undefined;
      },
      worker,
    );
    const fourth = rows.find((row) => row.get('id') === ids[3])!;
    expect(fourth.get('product')).toBe(order(ids[3]!, 3).product);
    expect(fourth.get('quantity')).toBe(4);
    expect(Number(String(fourth.get('price')))).toBe(4.5);
    // Both connectors write the same rows: each one's progress shows that it wrote them too.
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const name of ['cassandra-sink-json', 'cassandra-sink-legacy']) {
        await until(
          `${name} to commit offset ${jsonEnd}`,
          async () => {
            const [topic] = await admin.fetchOffsets({
              groupId: `connect-${name}`,
              topics: ['sluice-demo-json'],
            });
            return Number(topic!.partitions[0]!.offset) >= jsonEnd ? true : undefined;
          },
          worker,
        );
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('CoAP: the last JSON order on sluice/demo/orders, one resource per Avro record key', async () => {
    const last = order(ids[COUNT - 1]!, COUNT - 1);
    await until(
      'the last order on coap sluice/demo/orders',
      async () => {
        const { code, payload } = await coapGet(`${coapUrl}/sluice/demo/orders`);
        return code === '2.05' && payload.includes(last.id) ? payload : undefined;
      },
      worker,
    ).then((payload) => expect(JSON.parse(payload)).toEqual(last));
    for (const [i, id] of ids.entries()) {
      const payload = await until(
        `coap sluice/demo/order-lines/${id}`,
        async () => {
          const answer = await coapGet(`${coapUrl}/sluice/demo/order-lines/${id}`);
          return answer.code === '2.05' ? answer.payload : undefined;
        },
        worker,
      );
      expect(JSON.parse(payload)).toEqual({ id, product: order(id, i).product, quantity: i + 1 });
    }
  });

  it('Elasticsearch: JSON indexed by PK id into orders, Avro upserted into a monthly orders_avro_ index', async () => {
    const search = async (index: string) => {
      await fetch(`${elasticUrl}/${index}/_refresh`, { method: 'POST' });
      const response = await fetch(`${elasticUrl}/${index}/_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ size: COUNT * 2, query: { ids: { values: ids } } }),
      });
      if (!response.ok) return undefined;
      const { hits } = (await response.json()) as {
        hits: { hits: { _index: string; _id: string; _source: object }[] };
      };
      return hits.hits.length === COUNT ? hits.hits : undefined;
    };
    for (const index of ['orders', 'orders_avro_*']) {
      const hits = await until(`Elasticsearch ${index} to hold every record`, () => search(index), worker);
      for (const [i, id] of ids.entries()) {
        expect(hits.find((h) => h._id === id)?._source, index).toEqual(order(id, i));
      }
      if (index === 'orders_avro_*') expect(hits[0]!._index).toMatch(/^orders_avro_\d{4}-\d{2}$/);
    }
  });

  it('InfluxDB: one point per order, product as a tag, in sluice_demo', async () => {
    const query = async (q: string) => {
      const response = await fetch(
        `${influxUrl}/query?${new URLSearchParams({ db: 'sluice_demo', q }).toString()}`,
      );
      const body = (await response.json()) as {
        results: { series?: { columns: string[]; values: unknown[][] }[] }[];
      };
      const series = body.results[0]?.series?.[0];
      return (series?.values ?? []).map((v) => Object.fromEntries(series!.columns.map((c, k) => [c, v[k]])));
    };
    const json = await until(
      'InfluxDB orders to hold every record',
      async () => {
        const points = await query(`SELECT * FROM orders WHERE id =~ /^${run}-/`);
        return points.length === COUNT ? points : undefined;
      },
      worker,
    );
    expect(json.find((p) => p['id'] === ids[3])).toMatchObject({
      product: order(ids[3]!, 3).product,
      quantity: 4,
      price: 4.5,
    });
    const fromAvro = await until(
      'InfluxDB orders_avro to hold every record',
      async () => {
        const points = await query(`SELECT * FROM orders_avro WHERE product =~ /-${run}$/`);
        return points.length === COUNT ? points : undefined;
      },
      worker,
    );
    expect(fromAvro.find((p) => p['product'] === order(ids[3]!, 3).product)).toMatchObject({
      source: 'demo',
      quantity: 4,
      price: 4.5,
    });
  });

  it('JMS: JSON TextMessages on queue orders, MapMessages on topic readings, raw Avro on queue readings.raw', async () => {
    const received = (from: Record<string, string>, into: JmsMessage[]) => async () => {
      const query = new URLSearchParams({ broker: openwireUrl, ...from, count: '200', timeoutMs: '500' });
      const response = await fetch(`${jmsConsumerUrl}/receive?${query.toString()}`);
      expect(response.ok, `jms-consumer receive ${JSON.stringify(from)}`).toBe(true);
      for (const line of (await response.text()).split('\n'))
        if (line !== '') into.push(JSON.parse(line) as JmsMessage);
      const mine = into.filter((m) => JSON.stringify(m.body).includes(run) || bytesHold(m));
      return mine.length >= COUNT ? mine : undefined;
    };
    const type = avro.Type.forSchema(ORDER as unknown as avro.Schema);
    const decoded = (m: JmsMessage) =>
      type.fromBuffer(Buffer.from((m.body as { base64: string }).base64, 'base64')) as unknown;
    const bytesHold = (m: JmsMessage) => {
      if (m.type !== 'BytesMessage') return false;
      try {
        return JSON.stringify(decoded(m)).includes(run);
      } catch {
        return false; // another schema's bytes, from elsewhere
      }
    };

    const text = await until('JMS queue orders', received({ queue: 'orders' }, []), worker);
    const second = text.find((m) => JSON.stringify(m.body).includes(ids[1]!))!;
    expect(second).toMatchObject({ type: 'TextMessage', jmsType: 'Order' });
    expect(second.properties['origin']).toEqual({ type: 'String', value: 'sluice' });
    expect(JSON.parse(second.body as string)).toEqual(order(ids[1]!, 1));

    const maps = await until(
      'JMS topic readings',
      received({ topic: 'readings', subscription: jmsSubscription }, []),
      worker,
    );
    const map = maps.find((m) => JSON.stringify(m.body).includes(ids[1]!))!;
    expect(map.type).toBe('MapMessage');
    expect(map.body).toMatchObject({
      id: { value: ids[1] },
      product: { value: order(ids[1]!, 1).product },
      quantity: { type: 'Integer', value: 2 },
      price: { type: 'Double', value: 1.5 },
    });

    const raw = await until('JMS queue readings.raw', received({ queue: 'readings.raw' }, []), worker);
    expect(raw.map(decoded)).toContainEqual(order(ids[1]!, 1));
  });

  it('RethinkDB: upserted by PK id into an autocreated connect_rethink_sink.rethink_table', async () => {
    const docs = await until(
      'rethink_table to hold every record',
      async () => {
        const found = await r
          .db('connect_rethink_sink')
          .table('rethink_table')
          .getAll(...ids)
          .run(rethink)
          .then((cursor) => cursor.toArray())
          .catch(() => undefined);
        return found?.length === COUNT ? (found as object[]) : undefined;
      },
      worker,
    );
    expect(docs).toContainEqual(order(ids[4]!, 4));
  });
});
