import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '@sluice/test-infra';
import { startStandalone, type StandaloneRuntime } from '../../src/worker/standalone.js';
import { createTopic, produce, quietLogger, uniqueName } from './engine-kafka.js';
import { lines, rest, tempDir, waitFor } from './standalone-support.js';

// Standalone workers against test-infra's secured Kafka listeners (SASL_SSL, mTLS): records move end
// to end with each store format, the DLQ is written over SASL_SSL, and each kind of misconfiguration
// fails the task with one clear error naming its cause.

interface SecuredKafka {
  plaintext: string;
  listeners: { saslSsl: number; ssl: number; saslPlaintext: number };
  users: { mechanism: string; username: string; password: string }[];
  tls: {
    caPem: string;
    truststoreJks: string;
    truststoreP12: string;
    keystoreJks: string;
    keystoreP12: string;
    clientCertPem: string;
    clientKeyPem: string;
    storePassword: string;
  };
}

let kafka: SecuredKafka;
const dir = tempDir('sluice-security');
const running: StandaloneRuntime[] = [];

beforeAll(async () => {
  const { kafka: info } = await ensureServices(['kafka']);
  kafka = { ...(info as unknown as SecuredKafka), plaintext: String(info!['bootstrapServers']) };
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

const at = (port: number) => `127.0.0.1:${port}`;
const user = (mechanism: string) => kafka.users.find((u) => u.mechanism === mechanism)!;
const jaas = (module: 'plain' | 'scram', username: string, password: string) =>
  `org.apache.kafka.common.security.${module}.${module === 'plain' ? 'PlainLoginModule' : 'ScramLoginModule'} required username="${username}" password="${password}";`;

function scramSsl(password = user('SCRAM-SHA-512').password, username = user('SCRAM-SHA-512').username) {
  return {
    'bootstrap.servers': at(kafka.listeners.saslSsl),
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.jaas.config': jaas('scram', username, password),
    'ssl.truststore.location': kafka.tls.truststoreJks,
    'ssl.truststore.password': kafka.tls.storePassword,
    'ssl.truststore.type': 'JKS',
  };
}

async function startWorker(security: Record<string, string>, logger = quietLogger): Promise<string> {
  const runtime = await startStandalone({
    workerProps: {
      ...security,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.flush.interval.ms': '500',
      listeners: 'http://127.0.0.1:0',
    },
    logger,
  });
  running.push(runtime);
  return `http://127.0.0.1:${runtime.restPort}`;
}

const values = (topic: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ topic, key: null, value: Buffer.from(`secret-${i}`) }));

/** A FileStreamSink on a worker with `security` gets the records produced (over PLAINTEXT) to its topic. */
async function movesRecords(security: Record<string, string>): Promise<void> {
  const base = await startWorker(security);
  const topic = uniqueName('sec');
  const name = uniqueName('sec-sink');
  const file = path.join(dir, `${name}.txt`);
  await createTopic(kafka.plaintext, topic, 1);
  await produce(kafka.plaintext, values(topic, 20));
  const created = await rest(base, 'POST', '/connectors', {
    name,
    config: { 'connector.class': 'FileStreamSink', topics: topic, file },
  });
  expect(created.status).toBe(201);
  await waitFor('20 records written', () => lines(file).length === 20, 60_000);
  expect(lines(file)).toEqual(values(topic, 20).map((r) => r.value.toString()));
}

/** The task of a FileStreamSink on a worker with `security` FAILs; its trace is returned. */
async function failsWith(security: Record<string, string>): Promise<string> {
  const base = await startWorker(security);
  const topic = uniqueName('sec-bad');
  const name = uniqueName('sec-bad-sink');
  await createTopic(kafka.plaintext, topic, 1);
  const created = await rest(base, 'POST', '/connectors', {
    name,
    config: { 'connector.class': 'FileStreamSink', topics: topic, file: path.join(dir, `${name}.txt`) },
  });
  expect(created.status).toBe(201);
  const task = await waitFor(
    'task FAILED',
    async () => {
      const t = (await rest(base, 'GET', `/connectors/${name}/status`)).json.tasks[0];
      return t?.state === 'FAILED' ? (t as { trace: string }) : undefined;
    },
    60_000,
  );
  return task.trace;
}

describe('a standalone worker on secured Kafka listeners', () => {
  it('SASL_SSL with SCRAM-SHA-512 and a JKS trust store moves records end to end', async () => {
    await movesRecords(scramSsl());
  });

  it('SASL_SSL with PLAIN and a PEM trust store moves records end to end', async () => {
    const plain = user('PLAIN');
    await movesRecords({
      'bootstrap.servers': at(kafka.listeners.saslSsl),
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config': jaas('plain', plain.username, plain.password),
      'ssl.truststore.location': kafka.tls.caPem,
      'ssl.truststore.type': 'PEM',
    });
  });

  it('SSL with client certificates (mTLS) from a PKCS12 key store moves records end to end', async () => {
    await movesRecords({
      'bootstrap.servers': at(kafka.listeners.ssl),
      'security.protocol': 'SSL',
      'ssl.truststore.location': kafka.tls.truststoreP12,
      'ssl.truststore.password': kafka.tls.storePassword,
      'ssl.truststore.type': 'PKCS12',
      'ssl.keystore.location': kafka.tls.keystoreP12,
      'ssl.keystore.password': kafka.tls.storePassword,
      'ssl.keystore.type': 'PKCS12',
    });
  });

  it('writes the dead letter queue over SASL_SSL', async () => {
    const base = await startWorker(scramSsl());
    const topic = uniqueName('sec-dlq-in');
    const dlq = uniqueName('sec-dlq');
    const name = uniqueName('sec-dlq-sink');
    await createTopic(kafka.plaintext, topic, 1);
    await produce(kafka.plaintext, [
      { topic, key: null, value: Buffer.from('{"ok":1}') },
      { topic, key: null, value: Buffer.from('not json') },
    ]);
    const file = path.join(dir, `${name}.txt`);
    const created = await rest(base, 'POST', '/connectors', {
      name,
      config: {
        'connector.class': 'FileStreamSink',
        topics: topic,
        file,
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': dlq,
        'errors.deadletterqueue.topic.replication.factor': '1',
      },
    });
    expect(created.status).toBe(201);
    await waitFor('the good record written', () => lines(file).length === 1, 60_000);
    const seen: string[] = [];
    const consumer = new Kafka({ brokers: [kafka.plaintext], logLevel: logLevel.NOTHING }).consumer({
      groupId: uniqueName('sec-dlq-reader'),
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: dlq, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
      await waitFor('the bad record in the DLQ', () => seen.length > 0, 60_000);
    } finally {
      await consumer.disconnect();
    }
    expect(seen).toEqual(['not json']);
  });
});

describe('a worker misconfigured for secured Kafka fails with one clear error', () => {
  const noStack = (trace: string) => expect(trace).not.toMatch(/\n\s+at /);

  it('names a wrong SASL password', async () => {
    const trace = await failsWith(scramSsl('wrong-password'));
    expect(trace).toMatch(/authentication failed/i);
    expect(trace).toMatch(/SCRAM-SHA-512/);
    expect(trace).not.toContain('wrong-password');
    noStack(trace);
  });

  it('names an unknown user', async () => {
    const trace = await failsWith(scramSsl('whatever', 'nobody_here'));
    expect(trace).toMatch(/authentication failed/i);
    noStack(trace);
  });

  it('names an untrusted broker certificate', async () => {
    const { 'ssl.truststore.location': _l, 'ssl.truststore.password': _p, ...noTrust } = scramSsl();
    const trace = await failsWith({ ...noTrust, 'ssl.truststore.type': 'PEM' });
    expect(trace).toMatch(/certificate/i);
    expect(trace).toMatch(/ssl\.truststore/);
    noStack(trace);
  });

  it('names a missing client certificate', async () => {
    const trace = await failsWith({
      'bootstrap.servers': at(kafka.listeners.ssl),
      'security.protocol': 'SSL',
      'ssl.truststore.location': kafka.tls.truststoreJks,
      'ssl.truststore.password': kafka.tls.storePassword,
    });
    expect(trace).toMatch(/client certificate/i);
    expect(trace).toMatch(/ssl\.keystore/);
    noStack(trace);
  });
});

describe('secrets through config providers', () => {
  it('a connector whose SASL password comes from ${file:…} runs; the secret is in no REST answer or log line', async () => {
    const scram = user('SCRAM-SHA-512');
    const secrets = path.join(dir, 'secrets.properties');
    writeFileSync(secrets, `kafka.jaas=${jaas('scram', scram.username, scram.password)}\n`);
    const placeholder = `\${file:${secrets}:kafka.jaas}`;
    let logged = '';
    const logger = pino(
      { level: 'debug' },
      new Writable({ write: (chunk, _enc, done) => ((logged += String(chunk)), done()) }),
    );
    const base = await startWorker(
      {
        ...scramSsl(),
        'sasl.jaas.config': placeholder,
        'config.providers': 'file',
        'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
      },
      logger,
    );
    const topic = uniqueName('sec-provided');
    const name = uniqueName('sec-provided-sink');
    const file = path.join(dir, `${name}.txt`);
    await createTopic(kafka.plaintext, topic, 1);
    await produce(kafka.plaintext, values(topic, 5));
    const config = {
      'connector.class': 'FileStreamSink',
      topics: topic,
      file,
      'consumer.override.sasl.jaas.config': placeholder,
    };
    const validated = await rest(base, 'PUT', '/connector-plugins/FileStreamSink/config/validate', {
      ...config,
      name,
    });
    expect(validated.status).toBe(200);
    expect(validated.json.error_count).toBe(0);
    expect((await rest(base, 'POST', '/connectors', { name, config })).status).toBe(201);
    await waitFor('5 records written', () => lines(file).length === 5, 60_000);

    const shown = await rest(base, 'GET', `/connectors/${name}/config`);
    expect(shown.json['consumer.override.sasl.jaas.config']).toBe(placeholder);
    const tasks = await rest(base, 'GET', `/connectors/${name}/tasks`);
    for (const answer of [shown, validated, tasks, await rest(base, 'GET', `/connectors/${name}`)])
      expect(JSON.stringify(answer.json)).not.toContain(scram.password);
    expect(logged).toContain(name);
    expect(logged).not.toContain(scram.password);
  });
});
