import type { Schema } from './schema.js';

// A record as the sink engine hands it to a task (Kafka Connect's SinkRecord). It lives with the data
// model so that mapping (record views, projection) can read records without depending on the engine.

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface ConnectHeader {
  readonly key: string;
  readonly schema: Schema | null;
  readonly value: unknown;
}

export type TimestampType = 'NoTimestampType' | 'CreateTime' | 'LogAppendTime';

export interface SinkRecord {
  readonly topic: string;
  readonly kafkaPartition: number;
  /** int64 in Kafka; a JS number is exact up to 2^53, which no real partition reaches. */
  readonly kafkaOffset: number;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  readonly value: unknown;
  /** Epoch ms, or null when the record has none. */
  readonly timestamp: number | null;
  readonly timestampType: TimestampType;
  readonly headers: readonly ConnectHeader[];
}
