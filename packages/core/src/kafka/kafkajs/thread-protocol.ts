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
  /** The coordinator confirmed the membership; it is in doubt after `expiresAt` (epoch ms). */
  | { readonly type: 'session'; readonly expiresAt: number }
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
  /** Seeks of the partition the consumer thread had applied when it fetched the batch. */
  readonly seekEpoch: number;
  readonly count: number;
  /**
   * Per record: offset, timestamp, timestamp type, key start, key length, value start, value length,
   * header count. A length of -1 means null; starts are positions in `bytes`.
   */
  readonly fields: Float64Array;
  /** Header keys, in record order. */
  readonly headerKeys: string[];
  /** Per header, in record order: start and length of its value in `bytes` (-1 length = null). */
  readonly headerValues: Float64Array;
  /** The bytes of every key, value and header value. */
  readonly bytes: ArrayBuffer;
}

/** Memory a packed batch holds, for the in-flight bound between the threads. */
export function packedSize(p: PackedBatch): number {
  return p.bytes.byteLength + p.fields.byteLength + p.headerValues.byteLength;
}

const FIELDS = 8;
const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime', 'NoTimestampType'] as const;

/**
 * Where the record bytes live. kafkajs hands out keys and values as views of the buffer it read the
 * fetch response (or a decompressed record set) into; when every one of them lies in a single buffer,
 * the span they cover is copied in one go (framing bytes between them included, a few percent) instead
 * of field by field. Otherwise each field is copied back to back.
 */
function byteSource(batch: FetchedBatch): { buffer: ArrayBufferLike; start: number; end: number } | null {
  let buffer: ArrayBufferLike | null = null;
  let start = Infinity;
  let end = 0;
  const see = (b: Buffer | null): boolean => {
    if (b === null || b.length === 0) return true;
    if (buffer === null) buffer = b.buffer;
    else if (b.buffer !== buffer) return false;
    start = Math.min(start, b.byteOffset);
    end = Math.max(end, b.byteOffset + b.length);
    return true;
  };
  for (const m of batch.messages) {
    if (!see(m.key) || !see(m.value)) return null;
    for (const h of m.headers) if (!see(h.value)) return null;
  }
  return buffer === null ? null : { buffer, start, end };
}

export function packBatch(batch: FetchedBatch): { packed: PackedBatch; transfer: ArrayBuffer[] } {
  const n = batch.messages.length;
  const fields = new Float64Array(n * FIELDS);
  const headerKeys: string[] = [];
  const headerValueList: number[] = [];
  const span = byteSource(batch);
  let bytes: Buffer;
  let place: (b: Buffer | null, f: Float64Array, at: number) => void;
  if (span) {
    bytes = Buffer.allocUnsafeSlow(span.end - span.start);
    Buffer.from(span.buffer, span.start, span.end - span.start).copy(bytes);
    place = (b, f, at) => {
      f[at] = b === null || b.length === 0 ? 0 : b.byteOffset - span.start;
      f[at + 1] = b === null ? -1 : b.length;
    };
  } else {
    let total = 0;
    for (const m of batch.messages) {
      total += (m.key?.length ?? 0) + (m.value?.length ?? 0);
      for (const h of m.headers) total += h.value?.length ?? 0;
    }
    bytes = Buffer.allocUnsafeSlow(total);
    let pos = 0;
    place = (b, f, at) => {
      f[at] = pos;
      f[at + 1] = b === null ? -1 : b.length;
      if (b !== null) pos += b.copy(bytes, pos);
    };
  }
  const headerPair = new Float64Array(2);
  for (let i = 0; i < n; i++) {
    const m = batch.messages[i]!;
    const f = i * FIELDS;
    fields[f] = m.offset;
    fields[f + 1] = m.timestamp;
    fields[f + 2] = TIMESTAMP_TYPES.indexOf(m.timestampType);
    place(m.key, fields, f + 3);
    place(m.value, fields, f + 5);
    fields[f + 7] = m.headers.length;
    for (const h of m.headers) {
      headerKeys.push(h.key);
      place(h.value, headerPair, 0);
      headerValueList.push(headerPair[0]!, headerPair[1]!);
    }
  }
  const headerValues = Float64Array.from(headerValueList);
  const packed: PackedBatch = {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: batch.highWatermark,
    nextOffset: batch.nextOffset,
    fetchedOffset: batch.fetchedOffset ?? batch.messages[0]?.offset ?? batch.nextOffset,
    seekEpoch: batch.seekEpoch ?? 0,
    count: n,
    fields,
    headerKeys,
    headerValues,
    bytes: bytes.buffer as ArrayBuffer,
  };
  return {
    packed,
    transfer: [fields.buffer as ArrayBuffer, headerValues.buffer as ArrayBuffer, packed.bytes],
  };
}

const NO_HEADERS: readonly RawHeader[] = Object.freeze([]);

export function unpackBatch(p: PackedBatch): FetchedBatch {
  const messages: FetchedMessage[] = new Array<FetchedMessage>(p.count);
  const { fields, headerValues } = p;
  // Views cut from one Buffer over the whole batch skip Buffer.from's argument checks per field.
  const bytes = Buffer.from(p.bytes);
  const view = (start: number, length: number): Buffer | null =>
    length < 0 ? null : bytes.subarray(start, start + length);
  let h = 0;
  for (let i = 0; i < p.count; i++) {
    const f = i * FIELDS;
    const headerCount = fields[f + 7]!;
    let headers = NO_HEADERS;
    if (headerCount > 0) {
      const list: RawHeader[] = [];
      for (let j = 0; j < headerCount; j++, h++) {
        list.push({ key: p.headerKeys[h]!, value: view(headerValues[2 * h]!, headerValues[2 * h + 1]!) });
      }
      headers = list;
    }
    messages[i] = {
      offset: fields[f]!,
      timestamp: fields[f + 1]!,
      timestampType: TIMESTAMP_TYPES[fields[f + 2]!] ?? 'CreateTime',
      key: view(fields[f + 3]!, fields[f + 4]!),
      value: view(fields[f + 5]!, fields[f + 6]!),
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
    seekEpoch: p.seekEpoch,
  };
}
