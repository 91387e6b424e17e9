import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
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
