import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import avro from 'avsc';
import pino from 'pino';
import { Agent, fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '@sluice/test-infra';
import { encodeAvro } from '@sluice/test-utils';
import { startStandalone, type StandaloneRuntime } from '../../src/worker/standalone.js';
import { createTopic, produce, quietLogger, uniqueName } from './engine-kafka.js';
import { lines, rest, tempDir, waitFor } from './standalone-support.js';

// The AvroConverter against a schema registry reached as production ones are: HTTPS with a private CA
// and HTTP basic auth (test-infra's schema-registry-https, whose certificate the Kafka test CA signed).
// A producer registers its schema and writes Confluent-framed Avro; a FileStreamSink whose converter is
// configured with Confluent's keys reads it. A wrong password fails the task with an error that names
// the registry URL, never the password.

interface HttpsRegistry {
  url: string;
  username: string;
  password: string;
  tls: { caPem: string; truststoreP12: string; storePassword: string };
}

let registry: HttpsRegistry;
let bootstrap: string;
let producerAgent: Agent;
const dir = tempDir('sluice-avro-https');
const running: StandaloneRuntime[] = [];

beforeAll(async () => {
  const services = await ensureServices(['kafka', 'schema-registry-https']);
  registry = services['schema-registry-https'] as unknown as HttpsRegistry;
  bootstrap = String(services['kafka']!['bootstrapServers']);
  producerAgent = new Agent({ connect: { ca: readFileSync(registry.tls.caPem) } });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

afterAll(async () => {
  await producerAgent?.close();
});

const ORDER = {
  type: 'record',
  name: 'Order',
  namespace: 'com.acme',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'item', type: 'string' },
  ],
};

/** What a Confluent producer does: register the value schema (over HTTPS, with basic auth), then frame. */
async function produceOrders(topic: string, n: number): Promise<void> {
  const response = await fetch(`${registry.url}/subjects/${topic}-value/versions`, {
    method: 'POST',
    dispatcher: producerAgent,
    headers: {
      'content-type': 'application/vnd.schemaregistry.v1+json',
      authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`,
    },
    body: JSON.stringify({ schema: JSON.stringify(ORDER) }),
  });
  expect(response.status).toBe(200);
  const { id } = (await response.json()) as { id: number };
  const type = avro.Type.forSchema(ORDER as avro.Schema);
  await createTopic(bootstrap, topic, 1);
  await produce(
    bootstrap,
    Array.from({ length: n }, (_, i) => ({
      topic,
      key: null,
      value: encodeAvro({ id, type }, { id: i, item: `item-${i}` }),
    })),
  );
}

/** A standalone worker (its log kept) and a FileStreamSink of `topic` with the registry keys given. */
async function startSink(topic: string, password: string) {
  const log: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      log.push(chunk.toString());
      done();
    },
  });
  const runtime = await startStandalone({
    workerProps: {
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.flush.interval.ms': '500',
      listeners: 'http://127.0.0.1:0',
    },
    logger: process.env['SLUICE_TEST_LOG'] ? quietLogger : pino({ level: 'info' }, sink),
  });
  running.push(runtime);
  const base = `http://127.0.0.1:${runtime.restPort}`;
  const name = uniqueName('avro-https-sink');
  const file = path.join(dir, `${name}.txt`);
  const created = await rest(base, 'POST', '/connectors', {
    name,
    config: {
      'connector.class': 'FileStreamSink',
      topics: topic,
      file,
      'value.converter': 'io.confluent.connect.avro.AvroConverter',
      'value.converter.schema.registry.url': registry.url,
      'value.converter.basic.auth.credentials.source': 'USER_INFO',
      'value.converter.basic.auth.user.info': `${registry.username}:${password}`,
      'value.converter.schema.registry.ssl.truststore.location': registry.tls.truststoreP12,
      'value.converter.schema.registry.ssl.truststore.type': 'PKCS12',
      'value.converter.schema.registry.ssl.truststore.password': registry.tls.storePassword,
    },
  });
  expect(created.status).toBe(201);
  return { base, name, file, log };
}

describe('AvroConverter with a schema registry on HTTPS with basic auth', () => {
  it('reads Avro records whose schema it fetches over HTTPS with the credentials and trust store given', async () => {
    const topic = uniqueName('avro-https');
    await produceOrders(topic, 10);
    const { base, name, file } = await startSink(topic, registry.password);
    await waitFor('10 records written', () => lines(file).length === 10, 60_000);
    expect(lines(file)).toEqual(Array.from({ length: 10 }, (_, i) => `Struct{id=${i},item=item-${i}}`));
    // The credentials are a secret: not shown by the REST API.
    const config = await rest(base, 'GET', `/connectors/${name}/config`);
    expect(JSON.stringify(config.json)).not.toContain(registry.password);
  });

  it('a wrong password fails the task with an error naming the registry URL, not the password', async () => {
    const topic = uniqueName('avro-https-bad');
    await produceOrders(topic, 1);
    const wrong = 'not-the-registry-password';
    const { base, name, log } = await startSink(topic, wrong);
    const task = await waitFor(
      'task FAILED',
      async () => {
        const t = (await rest(base, 'GET', `/connectors/${name}/status`)).json.tasks[0];
        return t?.state === 'FAILED' ? (t as { trace: string }) : undefined;
      },
      60_000,
    );
    expect(task.trace).toContain(registry.url);
    expect(task.trace).toMatch(/HTTP 401/);
    expect(task.trace).toContain('basic.auth.user.info');
    expect(task.trace).not.toContain(wrong);
    expect(log.join('')).not.toContain(wrong);
  });
});
