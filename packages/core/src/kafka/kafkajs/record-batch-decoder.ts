import { createRequire } from 'node:module';
import Module from 'node:module';
import path from 'node:path';

// A faster decoder of Kafka record batches (message format v2) for kafkajs, installed in place of its
// own on the consumer thread (see consumer-thread.ts).
//
// Why: kafkajs decodes every record through a fresh Decoder over a fresh buffer view, with its 64-bit
// Long type (a BigInt parsed from a string) for the offset and the timestamp of each record, twice per
// record. That costs ~1.1 µs per 1 KB record, a quarter of what kafkajs spends per record in a fetch,
// on the consumer thread that limits a sink task's throughput. This decoder reads the same bytes in
// one pass with plain numbers (BigInt only for offsets or timestamps beyond 2^53, which Kafka allows
// but never produces in practice) and returns exactly what kafkajs' decoder returns: the same record
// objects, offsets and timestamps as decimal strings, keys, values and header values as views of the
// fetched bytes, compressed record sets through kafkajs' own codecs, and the same error for a batch
// cut short by the fetch size limit. The tests check it against kafkajs' decoder on the same bytes.
//
// It replaces a module inside kafkajs, so it is tied to the kafkajs version it was checked against:
// with any other version, installRecordBatchDecoder() leaves kafkajs as it is.

/** The kafkajs version whose record batch decoder this one replaces. */
export const KAFKAJS_VERSION = '2.2.4';

/** The part of kafkajs' Decoder (src/protocol/decoder.js) that a record batch decoder is given. */
export interface KafkaJsDecoder {
  buffer: Buffer;
  offset: number;
}

export interface DecodedRecord {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
  isControlRecord: boolean;
  batchContext: BatchContext;
}

interface BatchContext {
  firstOffset: string;
  firstTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  timestampType: number;
  magicByte?: number;
}

export type DecodedRecordBatch = Omit<BatchContext, 'magicByte'> & { records: DecodedRecord[] };

interface Codec {
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** kafkajs internals the decoder shares: its codecs (registered ones included) and its error type. */
interface KafkaJsInternals {
  lookupCodecByAttributes(attributes: number): Codec | null;
  PartialMessageError: new (message: string) => Error;
}

const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;
const LOG_APPEND_TIME = 1;
const CREATE_TIME = 0;
/** Bytes of a batch header after the length field, up to and including the record count. */
const HEADER_BYTES = 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

let batchesDecoded = 0;

/** Record batches this thread's decoders have decoded: whether kafkajs really uses the installed one. */
export function recordBatchesDecoded(): number {
  return batchesDecoded;
}

/** The decoder, bound to the kafkajs internals it shares. */
export function recordBatchDecoder(internals: KafkaJsInternals) {
  return async function decodeRecordBatch(fetchDecoder: KafkaJsDecoder): Promise<DecodedRecordBatch> {
    batchesDecoded++;
    const fetched = fetchDecoder.buffer;
    const at = fetchDecoder.offset;
    const firstOffsetBig = fetched.readBigInt64BE(at);
    const length = fetched.readInt32BE(at + 8);
    // A view of the batch, as kafkajs takes it: what the fetch cut short is shorter than `length`.
    const batch = fetched.subarray(at + 12, at + 12 + length);
    fetchDecoder.offset = at + 12 + length;
    if (batch.length < length) {
      throw new internals.PartialMessageError(
        `Tried to decode a partial record batch: remainingBytes(${batch.length}) < recordBatchLength(${length})`,
      );
    }
    const partitionLeaderEpoch = batch.readInt32BE(0);
    const magicByte = batch.readInt8(4);
    // CRC at 5..8: not checked, as kafkajs does not check it either.
    const attributes = batch.readInt16BE(9);
    const lastOffsetDelta = batch.readInt32BE(11);
    const firstTimestampBig = batch.readBigInt64BE(15);
    const maxTimestamp = String(batch.readBigInt64BE(23));
    const producerId = String(batch.readBigInt64BE(31));
    const producerEpoch = batch.readInt16BE(39);
    const firstSequence = batch.readInt32BE(41);
    const context: BatchContext = {
      firstOffset: String(firstOffsetBig),
      firstTimestamp: String(firstTimestampBig),
      partitionLeaderEpoch,
      inTransaction: (attributes & TRANSACTIONAL_FLAG_MASK) > 0,
      isControlBatch: (attributes & CONTROL_FLAG_MASK) > 0,
      lastOffsetDelta,
      producerId,
      producerEpoch,
      firstSequence,
      maxTimestamp,
      timestampType: (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0 ? LOG_APPEND_TIME : CREATE_TIME,
    };
    const codec = internals.lookupCodecByAttributes(attributes);
    const recordContext: BatchContext = { ...context, magicByte };
    const count = batch.length >= HEADER_BYTES ? batch.readInt32BE(HEADER_BYTES - 4) : -1;
    let records: DecodedRecord[];
    if (count <= 0) {
      records = [];
    } else if (codec === null) {
      records = decodeRecords(batch, HEADER_BYTES, count, recordContext, firstOffsetBig, firstTimestampBig);
    } else {
      const decompressed = await codec.decompress(batch.subarray(HEADER_BYTES));
      records = decodeRecords(decompressed, 0, count, recordContext, firstOffsetBig, firstTimestampBig);
    }
    return { ...context, records };
  };
}

function decodeRecords(
  buf: Buffer,
  start: number,
  count: number,
  context: BatchContext,
  firstOffsetBig: bigint,
  firstTimestampBig: bigint,
): DecodedRecord[] {
  const records = new Array<DecodedRecord>(count);
  const reader = new RecordReader(buf, start);
  // Plain number arithmetic while every offset and timestamp of the batch is exact as a double.
  const firstOffset = Number(firstOffsetBig);
  const offsetsExact = Number.isSafeInteger(firstOffset);
  const firstTimestamp = Number(firstTimestampBig);
  const timestampsExact = Math.abs(firstTimestamp) < 2 ** 51;
  const appendTime =
    context.timestampType === LOG_APPEND_TIME && context.maxTimestamp ? context.maxTimestamp : null;
  const { magicByte, isControlBatch } = context;
  for (let i = 0; i < count; i++) {
    const recordLength = reader.varint();
    const recordEnd = reader.pos + recordLength;
    const attributes = buf.readInt8(reader.pos++);
    const timestampDelta = reader.varlong();
    const offsetDelta = reader.varint();
    const key = reader.bytes();
    const value = reader.bytes();
    const headers = reader.headers();
    // Whatever a newer record format appends after the headers is skipped, as kafkajs skips it.
    reader.pos = recordEnd;
    let timestamp: string;
    if (appendTime !== null) timestamp = appendTime;
    else if (timestampsExact && typeof timestampDelta === 'number')
      timestamp = String(firstTimestamp + timestampDelta);
    else timestamp = String(firstTimestampBig + BigInt(timestampDelta));
    const offset = firstOffset + offsetDelta;
    records[i] = {
      magicByte: magicByte!,
      attributes,
      timestamp,
      offset:
        offsetsExact && Number.isSafeInteger(offset)
          ? String(offset)
          : String(firstOffsetBig + BigInt(offsetDelta)),
      key,
      value,
      headers,
      isControlRecord: isControlBatch,
      batchContext: context,
    };
  }
  return records;
}

/** Reads the varint-framed fields of records (Kafka's zigzag varints) from one buffer. */
class RecordReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
  ) {}

  private varintByte(): number {
    const b = this.buf[this.pos++];
    if (b === undefined) throw new RangeError('Record batch ends inside a varint');
    return b;
  }

  varint(): number {
    let raw = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.varintByte();
      raw |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80 && shift < 35);
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** A zigzag varlong: a number while exact (timestamp deltas always are), otherwise a bigint. */
  varlong(): number | bigint {
    const start = this.pos;
    let raw = 0;
    let scale = 1;
    let b: number;
    do {
      b = this.varintByte();
      raw += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80 && scale < 2 ** 49);
    if (b & 0x80) return this.bigVarlong(start);
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  private bigVarlong(start: number): bigint {
    let raw = 0n;
    let shift = 0n;
    let b: number;
    this.pos = start;
    do {
      b = this.varintByte();
      raw |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80 && shift < 70n);
    return BigInt.asIntN(64, (raw >> 1n) ^ -(raw & 1n));
  }

  bytes(): Buffer | null {
    const length = this.varint();
    if (length < 0) return null;
    const start = this.pos;
    this.pos += length;
    return this.buf.subarray(start, this.pos);
  }

  headers(): DecodedRecord['headers'] {
    const count = this.varint();
    const headers: DecodedRecord['headers'] = {};
    for (let i = 0; i < count; i++) {
      const keyBytes = this.bytes();
      const key = keyBytes === null ? 'null' : keyBytes.toString('utf8');
      const value = this.bytes();
      const previous = Object.prototype.hasOwnProperty.call(headers, key) ? headers[key] : undefined;
      const merged =
        previous === undefined
          ? value
          : Array.isArray(previous)
            ? previous.concat([value])
            : [previous, value];
      // As a data property even for a key such as "__proto__", as kafkajs' object spread makes it.
      Object.defineProperty(headers, key, {
        value: merged,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return headers;
  }
}

/**
 * Puts the decoder in place of kafkajs' record batch decoder for this thread's module registry. Must
 * run before kafkajs is loaded. Returns whether it did: not for another kafkajs version, or when
 * kafkajs' decoder is loaded already.
 */
export function installRecordBatchDecoder(): boolean {
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = path.dirname(require.resolve('kafkajs/package.json'));
  } catch {
    return false;
  }
  const version = (require(path.join(root, 'package.json')) as { version: string }).version;
  const target = path.join(root, 'src', 'protocol', 'recordBatch', 'v0', 'decoder.js');
  if (version !== KAFKAJS_VERSION || require.cache[target] !== undefined) return false;
  const internals: KafkaJsInternals = {
    // A plain module function of kafkajs (no `this`), typed here as a method.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    lookupCodecByAttributes: (
      require(path.join(root, 'src', 'protocol', 'message', 'compression', 'index.js')) as KafkaJsInternals
    ).lookupCodecByAttributes,
    PartialMessageError: (
      require(path.join(root, 'src', 'errors.js')) as {
        KafkaJSPartialMessageError: KafkaJsInternals['PartialMessageError'];
      }
    ).KafkaJSPartialMessageError,
  };
  const replacement = new Module(target);
  replacement.filename = target;
  replacement.loaded = true;
  replacement.exports = recordBatchDecoder(internals);
  require.cache[target] = replacement;
  return true;
}
