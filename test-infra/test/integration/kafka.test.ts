import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type Consumer, type KafkaConfig, type Producer, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../src/index.js';

describe('kafka (test-infra)', () => {
  let kafka: Kafka;
  let producer: Producer;
  let consumer: Consumer;

  beforeAll(async () => {
    const { kafka: info } = await ensureServices(['kafka']);
    expect(info.bootstrapServers).toBe(`127.0.0.1:${info.port}`);
    kafka = new Kafka({
      clientId: 'test-infra-smoke',
      brokers: [info.bootstrapServers as string],
      logLevel: logLevel.ERROR,
    });
    producer = kafka.producer();
    consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });
    await producer.connect();
    await consumer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await consumer?.disconnect();
  });

  it('creates a topic on first produce and delivers the records, in order, to a new consumer group', async () => {
    const topic = `smoke-${randomUUID()}`;
    const sent = Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 3}`, value: `value-${i}` }));
    await producer.send({ topic, messages: sent });

    const received: { key: string; value: string; offset: string }[] = [];
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: String(message.key), value: String(message.value), offset: message.offset });
          if (received.length === sent.length) resolve();
        },
      });
    });
    await done;
    expect(received.map(({ key, value }) => ({ key, value }))).toEqual(sent);
    expect(received.map((r) => r.offset)).toEqual(sent.map((_, i) => String(i)));
  });

  it('creates a multi-partition topic through the admin API', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = `smoke-admin-${randomUUID()}`;
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(
        true,
      );
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0].partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('kafka secured listeners (test-infra)', () => {
  interface Secured {
    listeners: { saslSsl: number; ssl: number; saslPlaintext: number };
    users: { mechanism: string; username: string; password: string }[];
    tls: { caPem: string; clientCertPem: string; clientKeyPem: string };
  }
  let info: Secured;
  beforeAll(async () => {
    info = (await ensureServices(['kafka'])).kafka as unknown as Secured;
  });

  /** The broker ids an admin client with `config` sees, or the error it got. */
  async function brokersSeen(config: Partial<KafkaConfig>): Promise<number[] | string> {
    const admin = new Kafka({
      brokers: [],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      ...config,
    }).admin();
    try {
      await admin.connect();
      return (await admin.describeCluster()).brokers.map((b) => b.nodeId);
    } catch (e) {
      return (e as Error).message;
    } finally {
      await admin.disconnect();
    }
  }
  const pem = (f: string) => readFileSync(f, 'utf8');
  const sasl = (mechanism: string) => {
    const u = info.users.find((x) => x.mechanism === mechanism)!;
    return { mechanism: mechanism.toLowerCase(), username: u.username, password: u.password } as SASLOptions;
  };

  it('SASL_SSL takes the SCRAM users and the PLAIN user, over TLS the test CA vouches for', async () => {
    const brokers = [`127.0.0.1:${info.listeners.saslSsl}`];
    const ssl = { ca: pem(info.tls.caPem) };
    for (const mechanism of ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'])
      expect(await brokersSeen({ brokers, ssl, sasl: sasl(mechanism) })).toEqual([1]);
    expect(
      await brokersSeen({
        brokers,
        ssl,
        sasl: { ...sasl('SCRAM-SHA-512'), password: 'wrong' } as SASLOptions,
      }),
    ).toMatch(/authentication failed/i);
  });

  it('SSL requires a client certificate the test CA signed', async () => {
    const brokers = [`127.0.0.1:${info.listeners.ssl}`];
    const ca = pem(info.tls.caPem);
    expect(
      await brokersSeen({
        brokers,
        ssl: { ca, cert: pem(info.tls.clientCertPem), key: pem(info.tls.clientKeyPem) },
      }),
    ).toEqual([1]);
    expect(await brokersSeen({ brokers, ssl: { ca } })).toMatch(/certificate/i);
  });

  it('SASL_PLAINTEXT takes the SCRAM user', async () => {
    expect(
      await brokersSeen({
        brokers: [`127.0.0.1:${info.listeners.saslPlaintext}`],
        sasl: sasl('SCRAM-SHA-512'),
      }),
    ).toEqual([1]);
  });
});
