import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';

// Topics and producers for end-to-end tests, on the Kafka that test-infra runs.

export interface TestMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  partition?: number;
  headers?: Record<string, string | Buffer>;
}

/** A name no other test (or earlier run) uses: `<prefix>-<time>-<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export class KafkaTestClient {
  private readonly kafka: Kafka;
  private admin: Admin | null = null;
  private producer: Producer | null = null;

  constructor(readonly bootstrapServers: string) {
    this.kafka = new Kafka({
      clientId: 'sluice-test-utils',
      brokers: bootstrapServers.split(','),
      logLevel: logLevel.NOTHING,
    });
  }

  async createTopic(topic: string, partitions = 1): Promise<void> {
    const admin = await this.connectedAdmin();
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  }

  async deleteTopics(...topics: string[]): Promise<void> {
    const admin = await this.connectedAdmin();
    await admin.deleteTopics({ topics });
  }

  /** Records of `topic` the consumer group has committed (sum over partitions; -1 offsets count as 0). */
  async committedRecords(groupId: string, topic: string): Promise<number> {
    const admin = await this.connectedAdmin();
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (result?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  }

  /** Produces in order (acks=all), in chunks so that large fills stay within request limits. */
  async produce(topic: string, messages: readonly TestMessage[], chunkSize = 1000): Promise<void> {
    const producer = await this.connectedProducer();
    for (let i = 0; i < messages.length; i += chunkSize) {
      await producer.send({
        topic,
        acks: -1,
        messages: messages.slice(i, i + chunkSize).map((m) => ({ ...m })),
      });
    }
  }

  /** Messages of a topic (e.g. a dead letter queue) from the beginning, until `count` arrived or the timeout. */
  async consume(
    topic: string,
    count: number,
    timeoutMs = 30_000,
  ): Promise<{ key: Buffer | null; value: Buffer | null; headers: Record<string, string> }[]> {
    const consumer = this.kafka.consumer({ groupId: uniqueName('test-utils-reader') });
    const out: { key: Buffer | null; value: Buffer | null; headers: Record<string, string> }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        void consumer.run({
          eachMessage: async ({ message }) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
            out.push({ key: message.key, value: message.value, headers });
            if (out.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    return out;
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    await this.admin?.disconnect();
    this.producer = null;
    this.admin = null;
  }

  private async connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    return this.admin;
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      this.producer = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
      await this.producer.connect();
    }
    return this.producer;
  }
}

/** Kafka Connect JSON with schemas (JsonConverter schemas.enable=true): `{"schema": …, "payload": …}`. */
export function connectJson(schema: object, payload: unknown): string {
  return JSON.stringify({ schema, payload });
}
