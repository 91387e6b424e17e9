import type { Converter, HeaderConverter } from '../convert/api.js';
import type { SchemaAndValue } from '../data/index.js';
import { ConnectException } from '../errors.js';
import type { FetchedMessage } from '../kafka/port.js';
import type { ConnectHeader, SinkRecord } from './api.js';
import { isThenable, type RetryWithTolerance } from './retry-with-tolerance.js';

// Consumed bytes → SinkRecord: key converter, value converter, header converter, each in its error
// stage. Stays synchronous for synchronous converters; the result is a promise only when a converter
// returned one (or a retriable failure is being retried).

export class RecordConverter {
  private readonly keyClass: string;
  private readonly valueClass: string;
  private readonly headerClass: string;

  constructor(
    private readonly keyConverter: Converter,
    private readonly valueConverter: Converter,
    private readonly headerConverter: HeaderConverter,
    private readonly operator: RetryWithTolerance,
  ) {
    this.keyClass = keyConverter.constructor.name;
    this.valueClass = valueConverter.constructor.name;
    this.headerClass = headerConverter.constructor.name;
  }

  /** Throws (or rejects with) StageFailure when a stage fails for good. */
  convert(topic: string, partition: number, m: FetchedMessage): SinkRecord | Promise<SinkRecord> {
    const key = this.key(topic, m);
    if (isThenable(key)) return key.then((k) => this.withKey(topic, partition, m, k));
    return this.withKey(topic, partition, m, key);
  }

  private withKey(
    topic: string,
    partition: number,
    m: FetchedMessage,
    key: SchemaAndValue,
  ): SinkRecord | Promise<SinkRecord> {
    const value = this.value(topic, m);
    if (isThenable(value)) return value.then((v) => this.build(topic, partition, m, key, v));
    return this.build(topic, partition, m, key, value);
  }

  // The key and value stages call their converter directly: no closure per record. The operator gets
  // one to retry with only once the first attempt failed or went asynchronous.

  private key(topic: string, m: FetchedMessage): SchemaAndValue | Promise<SchemaAndValue> {
    return this.stage('KEY_CONVERTER', this.keyClass, this.keyConverter, topic, m.key);
  }

  private value(topic: string, m: FetchedMessage): SchemaAndValue | Promise<SchemaAndValue> {
    return this.stage('VALUE_CONVERTER', this.valueClass, this.valueConverter, topic, m.value);
  }

  private stage(
    stage: 'KEY_CONVERTER' | 'VALUE_CONVERTER',
    executingClass: string,
    converter: Converter,
    topic: string,
    data: Buffer | null,
  ): SchemaAndValue | Promise<SchemaAndValue> {
    let result: SchemaAndValue | Promise<SchemaAndValue>;
    try {
      result = converter.toConnectData(topic, data);
    } catch (e) {
      return this.operator.failed(stage, executingClass, () => converter.toConnectData(topic, data), e);
    }
    if (!isThenable(result)) return result;
    return this.operator.settle(stage, executingClass, () => converter.toConnectData(topic, data), result);
  }

  private build(
    topic: string,
    partition: number,
    m: FetchedMessage,
    key: SchemaAndValue,
    value: SchemaAndValue,
  ): SinkRecord | Promise<SinkRecord> {
    const headers = m.headers.length === 0 ? [] : this.headers(topic, m);
    if (isThenable(headers)) return headers.then((h) => this.record(topic, partition, m, key, value, h));
    return this.record(topic, partition, m, key, value, headers);
  }

  private headers(topic: string, m: FetchedMessage): ConnectHeader[] | Promise<ConnectHeader[]> {
    return this.operator.execute('HEADER_CONVERTER', this.headerClass, () =>
      m.headers.map((h) => {
        const sv = this.headerConverter.toConnectHeader(topic, h.key, h.value);
        return { key: h.key, schema: sv.schema, value: sv.value };
      }),
    );
  }

  private record(
    topic: string,
    partition: number,
    m: FetchedMessage,
    key: SchemaAndValue,
    value: SchemaAndValue,
    headers: ConnectHeader[],
  ): SinkRecord {
    if (m.timestamp < -1) {
      throw new ConnectException(
        `Invalid record timestamp ${m.timestamp} at topic '${topic}' partition ${partition} offset ${m.offset}`,
      );
    }
    return {
      topic,
      kafkaPartition: partition,
      kafkaOffset: m.offset,
      keySchema: key.schema,
      key: key.value,
      valueSchema: value.schema,
      value: value.value,
      timestamp: m.timestamp === -1 ? null : m.timestamp,
      timestampType: m.timestamp === -1 ? 'NoTimestampType' : m.timestampType,
      headers,
    };
  }
}
