import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '@sluice/test-infra';
import { startDistributed, type DistributedRuntime } from '../../src/worker/distributed/start-distributed.js';
import { clusterProps } from './distributed-cluster.js';
import { createTopic, produce, uniqueName } from './engine-kafka.js';
import { lines, tempDir, waitFor } from './standalone-support.js';

// A distributed cluster as production runs one: three workers whose every Kafka client (group member,
// internal-topic readers and writers, task consumers) speaks SASL_SSL with SCRAM-SHA-512, and whose
// REST API listens on HTTPS with a certificate of the test CA. A connector created through a follower
// reaches the leader by request forwarding over HTTPS (the follower verifying the leader's certificate
// and host name with the worker's REST trust store) and moves records.

interface SecuredKafka {
  bootstrapServers: string;
  listeners: { saslSsl: number };
  users: { mechanism: string; username: string; password: string }[];
  tls: {
    caPem: string;
    truststoreJks: string;
    serverKeystoreP12: string;
    storePassword: string;
  };
}

let kafka: SecuredKafka;
const dir = tempDir('sluice-distributed-secure');
const workers: { runtime: DistributedRuntime; url: string; log: string[] }[] = [];
let client: Agent;
const agents: Agent[] = [];

beforeAll(async () => {
  const { kafka: info } = await ensureServices(['kafka']);
  kafka = info as unknown as SecuredKafka;
  client = new Agent({ connect: { ca: readFileSync(kafka.tls.caPem) } });
});

afterAll(async () => {
  await Promise.all(workers.splice(0).map((w) => w.runtime.stop()));
  await Promise.all([client, ...agents].map((a) => a?.close()));
});

function securedProps(name: string): Record<string, string> {
  const scram = kafka.users.find((u) => u.mechanism === 'SCRAM-SHA-512')!;
  const { tls } = kafka;
  return clusterProps(`127.0.0.1:${kafka.listeners.saslSsl}`, name, {
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="${scram.username}" password="${scram.password}";`,
    'ssl.truststore.location': tls.truststoreJks,
    'ssl.truststore.password': tls.storePassword,
    listeners: 'https://127.0.0.1:0',
    'listeners.https.ssl.keystore.location': tls.serverKeystoreP12,
    'listeners.https.ssl.keystore.type': 'PKCS12',
    'listeners.https.ssl.keystore.password': tls.storePassword,
    'listeners.https.ssl.truststore.location': tls.truststoreJks,
    'listeners.https.ssl.truststore.password': tls.storePassword,
  });
}

async function startWorker(props: Record<string, string>): Promise<(typeof workers)[number]> {
  const log: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      log.push(chunk.toString());
      done();
    },
  });
  // DEBUG, to see the REST requests each worker served (the forwarded one among them).
  const runtime = await startDistributed({ workerProps: props, logger: pino({ level: 'debug' }, sink) });
  const worker = { runtime, url: `https://127.0.0.1:${runtime.restPort}`, log };
  workers.push(worker);
  return worker;
}

async function call(base: string, method: string, pathname: string, body?: unknown, dispatcher = client) {
  const response = await fetch(`${base}${pathname}`, {
    method,
    dispatcher,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? null : (JSON.parse(text) as any) };
}

describe('a distributed cluster on SASL_SSL with its REST API on HTTPS', () => {
  it('forms, forwards a follower write to the leader over HTTPS, and moves records', async () => {
    const name = uniqueName('secure-cluster');
    const props = securedProps(name);
    const started = await Promise.all([startWorker(props), startWorker(props), startWorker(props)]);
    const leaderOf = () => started.find((w) => w.log.some((l) => l.includes('is now the leader')));
    const leader = await waitFor('a leader elected', () => leaderOf(), 45_000);
    const follower = started.find((w) => w !== leader)!;
    await waitFor('every worker ready', async () => {
      const health = await Promise.all(started.map((w) => call(w.url, 'GET', '/health')));
      return health.every((h) => h.status === 200);
    });

    const topic = uniqueName('secure-cluster-in');
    const file = path.join(dir, `${name}.txt`);
    await createTopic(kafka.bootstrapServers, topic, 2);
    const values = Array.from({ length: 30 }, (_, i) => `record-${i}`);
    await produce(
      kafka.bootstrapServers,
      values.map((v) => ({ topic, key: null, value: Buffer.from(v) })),
    );

    const connector = `${name}-sink`;
    const created = await call(follower.url, 'POST', '/connectors', {
      name: connector,
      config: { 'connector.class': 'FileStreamSink', topics: topic, file, 'tasks.max': '1' },
    });
    expect(created.status).toBe(201);
    expect(created.json.name).toBe(connector);
    // The leader served it as a forwarded request (forward=false), so the follower reached it over HTTPS.
    expect(
      leader.log.some((l) => l.includes('REST request') && l.includes(`/connectors?forward=false`)),
    ).toBe(true);

    await waitFor('30 records in the file', () => lines(file).length >= 30, 45_000);
    expect([...lines(file)].sort()).toEqual([...values].sort());

    // A restart asked of the follower is forwarded too, and the connector keeps running.
    const restarted = await call(follower.url, 'POST', `/connectors/${connector}/restart`);
    expect(restarted.status).toBe(204);
    const status = await waitFor('RUNNING after restart', async () => {
      const s = await call(follower.url, 'GET', `/connectors/${connector}/status`);
      return s.json?.connector?.state === 'RUNNING' && s.json.tasks[0]?.state === 'RUNNING'
        ? s.json
        : undefined;
    });
    expect(status.connector.worker_id).toMatch(/^127\.0\.0\.1:\d+$/);

    // A worker that does not trust the others' CA cannot forward: its write fails with a 409 that names
    // the certificate problem, instead of reaching the leader unverified. (Its listener's key store is
    // one of another CA: Node trusts the CA certificates inside a PKCS12 key store of its own.)
    const untrusting = { ...props };
    delete untrusting['listeners.https.ssl.truststore.location'];
    delete untrusting['listeners.https.ssl.truststore.password'];
    const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/tls/${f}`, import.meta.url));
    untrusting['listeners.https.ssl.keystore.location'] = fixture('client.p12');
    untrusting['listeners.https.ssl.keystore.password'] = 'p12pass';
    const stranger = await startWorker(untrusting);
    // The test trusts that worker's own certificate (self-signed, no host name) to talk to it.
    const toStranger = new Agent({
      connect: { ca: readFileSync(fixture('client.crt')), checkServerIdentity: () => undefined },
    });
    agents.push(toStranger);
    const refused = await waitFor('the untrusting worker tried to forward', async () => {
      const r = await call(
        stranger.url,
        'POST',
        '/connectors',
        {
          name: `${name}-refused`,
          config: { 'connector.class': 'FileStreamSink', topics: topic, file: `${file}.refused` },
        },
        toStranger,
      );
      if (r.status !== 409) throw new Error(`expected 409, got ${r.status}: ${JSON.stringify(r.json)}`);
      const message = String(r.json.message);
      return message.includes('forwarding to https://') ? message : undefined;
    });
    expect(refused).toMatch(/certificate/i);
  }, 90_000);
});
