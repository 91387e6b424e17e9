import type {
  FetchedBatch,
  FetchedMessage,
  RawHeader,
  TopicPartitionOffset,
  TopicPartitionRef,
} from '../port.js';

// Messages between a task's thread and its consumer thread (see threaded-consumer.ts), and the packed
// form of a fetched batch: record fields in one Float64Array and every key, value and header value in
// one byte buffer, so a batch crosses threads as two transferred buffers instead of thousands of
// cloned objects.

export interface ConsumerThreadInit {
  readonly clientConfig: Record<string, string>;
  readonly groupId: string;
  readonly clientId: string;
  readonly overrides?: Record<string, string>;
  readonly logLevel: string;
}

export type SubscriptionMessage =
  | { readonly topics: readonly string[] }
  | { readonly pattern: { readonly source: string; readonly flags: string } };

/** Task thread → consumer thread. */
export type ToConsumerThread =
  | { readonly type: 'call'; readonly id: number; readonly op: 'connect' | 'run' | 'disconnect' }
  | {
      readonly type: 'call';
      readonly id: number;
      readonly op: 'subscribe';
      readonly subscription: SubscriptionMessage;
    }
  | {
      readonly type: 'call';
      readonly id: number;
      readonly op: 'commit';
      readonly offsets: readonly TopicPartitionOffset[];
    }
  | { readonly type: 'pause' | 'resume'; readonly partitions: readonly TopicPartitionRef[] }
  | { readonly type: 'seek'; readonly offset: TopicPartitionOffset }
  | { readonly type: 'answer'; readonly id: number; readonly error?: string }
  /** A batch the task thread is done with (handled or dropped): room for the next one. */
  | { readonly type: 'taken'; readonly bytes: number };

/** Consumer thread → task thread. */
export type FromConsumerThread =
  | { readonly type: 'reply'; readonly id: number; readonly error?: SerializedError }
  | { readonly type: 'assigned' | 'revoked'; readonly id: number; readonly partitions: TopicPartitionRef[] }
  | { readonly type: 'batch'; readonly batch: PackedBatch }
  | { readonly type: 'crash'; readonly error: SerializedError }
  | { readonly type: 'log'; readonly line: string };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly type?: string;
}

export function serializeError(e: unknown): SerializedError {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message, stack: err.stack, type: (err as { type?: string }).type };
}

export function deserializeError(s: SerializedError): Error {
  const err = new Error(s.message);
  err.name = s.name;
  if (s.stack) err.stack = s.stack;
  if (s.type) (err as { type?: string }).type = s.type;
  return err;
}

export interface PackedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: number;
  readonly nextOffset: number;
  readonly fetchedOffset: number;
  readonly count: number;
  /** Per record: offset, timestamp, timestamp type, key length, value length, header count (-1 length = null). */
  readonly fields: Float64Array;
  /** Header keys, in record order. */
  readonly headerKeys: string[];
  /** Header value lengths (-1 = null), in record order. */
  readonly headerLengths: Float64Array;
  /** Keys, values and header values of all records, back to back. */
  readonly bytes: ArrayBuffer;
}

/** Memory a packed batch holds, for the in-flight bound between the threads. */
export function packedSize(p: PackedBatch): number {
  return p.bytes.byteLength + p.fields.byteLength + p.headerLengths.byteLength;
}

const FIELDS = 6;
const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime', 'NoTimestampType'] as const;

export function packBatch(batch: FetchedBatch): { packed: PackedBatch; transfer: ArrayBuffer[] } {
  const n = batch.messages.length;
  const fields = new Float64Array(n * FIELDS);
  const headerKeys: string[] = [];
  const headerLengthList: number[] = [];
  let total = 0;
  for (const m of batch.messages) {
    total += (m.key?.length ?? 0) + (m.value?.length ?? 0);
    for (const h of m.headers) total += h.value?.length ?? 0;
  }
  const bytes = Buffer.allocUnsafeSlow(total);
  let pos = 0;
  const put = (b: Buffer | null): number => {
    if (b === null) return -1;
    b.copy(bytes, pos);
    pos += b.length;
    return b.length;
  };
  for (let i = 0; i < n; i++) {
    const m = batch.messages[i]!;
    const f = i * FIELDS;
    fields[f] = m.offset;
    fields[f + 1] = m.timestamp;
    fields[f + 2] = TIMESTAMP_TYPES.indexOf(m.timestampType);
    fields[f + 3] = put(m.key);
    fields[f + 4] = put(m.value);
    fields[f + 5] = m.headers.length;
    for (const h of m.headers) {
      headerKeys.push(h.key);
      headerLengthList.push(put(h.value));
    }
  }
  const headerLengths = Float64Array.from(headerLengthList);
  const packed: PackedBatch = {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: batch.highWatermark,
    nextOffset: batch.nextOffset,
    fetchedOffset: batch.fetchedOffset ?? batch.messages[0]?.offset ?? batch.nextOffset,
    count: n,
    fields,
    headerKeys,
    headerLengths,
    bytes: bytes.buffer as ArrayBuffer,
  };
  return {
    packed,
    transfer: [fields.buffer as ArrayBuffer, headerLengths.buffer as ArrayBuffer, packed.bytes],
  };
}

const NO_HEADERS: readonly RawHeader[] = Object.freeze([]);

export function unpackBatch(p: PackedBatch): FetchedBatch {
  const messages: FetchedMessage[] = new Array<FetchedMessage>(p.count);
  const { fields, bytes } = p;
  let pos = 0;
  let h = 0;
  const take = (length: number): Buffer | null => {
    if (length < 0) return null;
    const b = Buffer.from(bytes, pos, length);
    pos += length;
    return b;
  };
  for (let i = 0; i < p.count; i++) {
    const f = i * FIELDS;
    const key = take(fields[f + 3]!);
    const value = take(fields[f + 4]!);
    const headerCount = fields[f + 5]!;
    let headers = NO_HEADERS;
    if (headerCount > 0) {
      const list: RawHeader[] = [];
      for (let j = 0; j < headerCount; j++, h++)
        list.push({ key: p.headerKeys[h]!, value: take(p.headerLengths[h]!) });
      headers = list;
    }
    messages[i] = {
      offset: fields[f]!,
      timestamp: fields[f + 1]!,
      timestampType: TIMESTAMP_TYPES[fields[f + 2]!] ?? 'CreateTime',
      key,
      value,
      headers,
    };
  }
  return {
    topic: p.topic,
    partition: p.partition,
    messages,
    highWatermark: p.highWatermark,
    nextOffset: p.nextOffset,
    fetchedOffset: p.fetchedOffset,
  };
}
