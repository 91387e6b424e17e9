import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { KafkaProducer, ProducedRecord } from '../port.js';

export class KafkaJsProducer implements KafkaProducer {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    config: Parameters<Kafka['producer']>[0],
    private readonly acks: number,
  ) {
    // Java's murmur2 partitioner, so keyed records land where Java producers put them.
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async send(records: readonly ProducedRecord[]): Promise<void> {
    const byTopic = new Map<string, ProducedRecord[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic) ?? [];
      list.push(r);
      byTopic.set(r.topic, list);
    }
    await this.producer.sendBatch({
      acks: this.acks,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((r) => ({
          key: r.key,
          value: r.value,
          ...(r.partition === undefined ? {} : { partition: r.partition }),
          ...(r.timestamp === undefined ? {} : { timestamp: String(r.timestamp) }),
          ...(r.headers ? { headers: toHeaders(r.headers) } : {}),
        })),
      })),
    });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

function toHeaders(headers: ProducedRecord['headers'] & object): Record<string, Buffer[]> {
  const out: Record<string, Buffer[]> = {};
  for (const { key, value } of headers) {
    // kafkajs cannot send a null header value; an empty value is the closest it can encode.
    (out[key] ??= []).push(value ?? Buffer.alloc(0));
  }
  return out;
}
