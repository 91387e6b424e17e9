import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import {
  FencedWriterError,
  TransactionsUnavailableError,
  type LogWriter,
  type OutgoingRecord,
} from '../internal-kafka.js';

// Writers of internal topics. Records of one key must stay in order, so one request is in flight at
// a time.

export class KafkaJsLogWriter implements LogWriter {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  static async open(kafka: Kafka, topic: string): Promise<KafkaJsLogWriter> {
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    return new KafkaJsLogWriter(producer, topic);
  }

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: records.map((r) => ({ key: r.key, value: r.value })),
    });
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

/**
 * The leader's config writer: a transactional producer with Kafka Connect's transactional id
 * (`connect-cluster-<group.id>`). Opening it runs InitProducerId, which bumps the epoch and so fences
 * any earlier leader; each send is one transaction, so a batch of records (a connector and its task
 * configs) is applied by readers all at once or not at all.
 */
export class KafkaJsFencedWriter implements LogWriter {
  private fenced: Error | null = null;

  private constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly transactionalId: string,
  ) {}

  static async open(kafka: Kafka, topic: string, transactionalId: string): Promise<KafkaJsFencedWriter> {
    const producer = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
      // An empty transaction: InitProducerId fences the previous holder; no EndTxn is sent.
      const txn = await producer.transaction();
      await txn.abort();
    } catch (e) {
      await producer.disconnect().catch(() => undefined);
      if (isRefusal(e)) {
        throw new TransactionsUnavailableError(
          `The brokers refused a transactional producer with transactional.id ${transactionalId}: ${(e as Error).message}`,
          { cause: e },
        );
      }
      throw e;
    }
    return new KafkaJsFencedWriter(producer, topic, transactionalId);
  }

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    if (this.fenced) throw this.fencedError(this.fenced);
    if (records.length === 0) return;
    const txn = await this.producer.transaction();
    try {
      await txn.send({
        topic: this.topic,
        acks: -1,
        messages: records.map((r) => ({ key: r.key, value: r.value })),
      });
      await txn.commit();
    } catch (e) {
      await txn.abort().catch(() => undefined);
      if (isFencing(e)) {
        this.fenced = e as Error;
        throw this.fencedError(e);
      }
      throw e;
    }
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }

  private fencedError(cause: unknown): FencedWriterError {
    return new FencedWriterError(
      `Config topic writes as ${this.transactionalId} were fenced: another worker became the leader of this cluster`,
      { cause },
    );
  }
}

function isFencing(e: unknown): boolean {
  const err = e as { type?: string; message?: string; cause?: unknown };
  const text = `${err.type ?? ''} ${err.message ?? ''}`;
  return (
    /INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|fenced|epoch/i.test(text) ||
    (err.cause !== undefined && isFencing(err.cause))
  );
}

/** Answers that will not change on retry: transactions are not supported or not allowed for this worker. */
function isRefusal(e: unknown): boolean {
  const err = e as { type?: string; cause?: unknown; originalError?: unknown };
  if (err.type && /AUTHORIZATION_FAILED|UNSUPPORTED_VERSION|UNSUPPORTED_FOR_MESSAGE_FORMAT/.test(err.type))
    return true;
  const inner = err.originalError ?? err.cause;
  return inner !== undefined && inner !== e && isRefusal(inner);
}
