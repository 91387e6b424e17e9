import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '@sluice/test-infra';

// The connector files of examples/ started unchanged with `sluice standalone`, as the README shows. Only
// the worker file is written beside them: examples/worker.properties with test-infra's Kafka address and a
// free REST port (8083 may be taken). The connector files name the stores at their default addresses on
// 127.0.0.1, which is where test-infra's shared servers listen unless SLUICE_INFRA_PORT_* moves them.
// Records carry this run's id, so records of earlier runs on the demo topics do not count.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLES = [
  'examples/file-sink-json.properties',
  'examples/file-sink-json-map.json',
  'examples/file-sink-avro.json',
  'examples/mongodb/mongo-sink-json.properties',
  'examples/mongodb/mongo-sink-avro.json',
  'examples/mqtt/mqtt-sink-json.properties',
  'examples/mqtt/mqtt-sink-avro.json',
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
const order = (id: string, i: number) => ({ id, product: `widget-${i}`, quantity: i + 1, price: 1.5 * i });

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

describe('examples/ run as written', () => {
  let worker: Worker;
  let mongo: MongoClient;
  let subscriber: MqttClient;
  const mqttMessages: { topic: string; payload: string }[] = [];

  beforeAll(async () => {
    const services = await ensureServices(['kafka', 'schema-registry', 'mongodb', 'mosquitto']);
    for (const [name, port] of [
      ['schema-registry', 8081],
      ['mongodb', 27017],
      ['mosquitto', 1883],
    ] as const) {
      // The examples name the default addresses; a moved server cannot be reached without editing them.
      expect(services[name]!.port, `${name} must listen on its default port for the examples`).toBe(port);
    }
    const bootstrap = services['kafka']!.bootstrapServers as string;
    const registry = services['schema-registry']!.url as string;

    const kafka = new Kafka({ clientId: 'examples-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: ['sluice-demo-json', 'sluice-demo-avro'].map((topic) => ({ topic, numPartitions: 1 })),
    });
    await admin.disconnect();

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
    expect(Object.keys(connectors).sort()).toEqual([
      'file-sink-avro',
      'file-sink-json',
      'file-sink-plain-map',
      'mongo-sink-avro',
      'mongo-sink-json',
      'mqtt-sink-avro',
      'mqtt-sink-json',
    ]);

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
    await producer.disconnect();
  });

  afterAll(async () => {
    if (worker && worker.exited === null) {
      const exited = new Promise((resolve) => worker.process.once('exit', resolve));
      worker.process.kill('SIGTERM');
      await exited;
    }
    await subscriber?.endAsync();
    await mongo?.close();
  });

  it('file sinks: JSON (properties), JSON by topics.regex (plain map), Avro (JSON file) write every record', async () => {
    for (const file of ['json.txt', 'json-regex.txt', 'avro.txt']) {
      const lines = await until(
        `${file} to hold every record`,
        () => linesOf(`/tmp/sluice-demo/${file}`),
        worker,
      );
      expect(lines.length, file).toBe(COUNT);
      expect(lines[0], file).toContain('widget-0');
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
      expect(third, collection).toMatchObject({ product: 'widget-2', quantity: 3, price: 3 });
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
    expect(lines).toContainEqual({ id: ids[1], product: 'widget-1', quantity: 2 });
  });
});
