import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KAFKAJS_VERSION, recordBatchDecoder } from '../../src/kafka/kafkajs/record-batch-decoder.js';

// The decoder must return exactly what kafkajs' own record batch decoder returns for the same fetched
// bytes, since kafkajs' consumer (offset tracking, filtering of control records and aborted
// transactions) and our consumer adapter both read its output. Batches are encoded by kafkajs itself.

const require = createRequire(import.meta.url);
const root = path.dirname(require.resolve('kafkajs/package.json'));
const internal = <T>(file: string): T => require(path.join(root, 'src', file)) as T;

type Encoded = { buffer: Buffer };
type Headers = Record<string, Buffer | string | (Buffer | string)[]>;
const { RecordBatch } = internal<{ RecordBatch: (o: object) => Promise<Encoded> }>(
  'protocol/recordBatch/v0/index.js',
);
const Record = internal<(o: object) => Encoded>('protocol/recordBatch/record/v0/index.js');
const Decoder = internal<new (b: Buffer) => { buffer: Buffer; offset: number }>('protocol/decoder.js');
const kafkajsDecode = internal<(d: unknown) => Promise<unknown>>('protocol/recordBatch/v0/decoder.js');
const Long = internal<{ fromValue(v: string | number): unknown }>('utils/long.js');
const { Types } = internal<{ Types: { GZIP: number } }>('protocol/message/compression/index.js');
const errors = internal<{ KafkaJSPartialMessageError: new (m: string) => Error }>('errors.js');
const compression = internal<{ lookupCodecByAttributes(a: number): never }>(
  'protocol/message/compression/index.js',
);

const decode = recordBatchDecoder({
  lookupCodecByAttributes: compression.lookupCodecByAttributes,
  PartialMessageError: errors.KafkaJSPartialMessageError,
});

interface RecordSpec {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Headers;
}

async function encodeBatch(records: RecordSpec[], options: Record<string, unknown> = {}): Promise<Buffer> {
  const encoded = await RecordBatch({
    firstOffset: Long.fromValue('1000'),
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_009_999,
    lastOffsetDelta: records.length === 0 ? 0 : records[records.length - 1]!.offsetDelta,
    records: records.map((r) => Record(r)),
    ...options,
  });
  return encoded.buffer;
}

/** Both decoders over the same bytes: their results, and where each left its decoder. */
async function bothDecode(bytes: Buffer) {
  const theirs = new Decoder(bytes);
  const ours = new Decoder(bytes);
  const expected = await kafkajsDecode(theirs);
  const actual = await decode(ours);
  return { expected, actual, theirEnd: theirs.offset, ourEnd: ours.offset };
}

const records: RecordSpec[] = [
  { offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k0'), value: Buffer.from('{"a":1}') },
  { offsetDelta: 1, timestampDelta: -5, key: null, value: Buffer.from('no key') },
  { offsetDelta: 2, timestampDelta: 12, key: Buffer.from('tombstone'), value: null },
  { offsetDelta: 3, timestampDelta: 300_000, key: Buffer.alloc(0), value: Buffer.alloc(0) },
  {
    offsetDelta: 7, // 4–6 compacted away
    timestampDelta: 2 ** 40,
    key: Buffer.from('ü'),
    value: Buffer.alloc(2000, 7),
    headers: {
      trace: 'abc',
      multi: ['x', 'y', 'z'],
      pair: [Buffer.from([1]), Buffer.from([2])],
      'ä-key': '',
    },
  },
  // A timestamp delta of 8 varint bytes, beyond what the decoder reads as a plain number.
  { offsetDelta: 8, timestampDelta: -(2 ** 52 + 3), key: Buffer.from('k8'), value: Buffer.from('far') },
];

describe('record batch decoder (in place of kafkajs ' + KAFKAJS_VERSION + "'s)", () => {
  it('decodes an uncompressed batch exactly as kafkajs does', async () => {
    const { expected, actual, theirEnd, ourEnd } = await bothDecode(await encodeBatch(records));
    expect(actual).toEqual(expected);
    expect(ourEnd).toBe(theirEnd);
    const decoded = actual as { records: { offset: string; headers: Record<string, unknown> }[] };
    expect(decoded.records.map((r) => r.offset)).toEqual(['1000', '1001', '1002', '1003', '1007', '1008']);
    expect(decoded.records[4]!.headers['multi']).toEqual([
      Buffer.from('x'),
      Buffer.from('y'),
      Buffer.from('z'),
    ]);
  });

  it('decodes a gzip-compressed batch exactly as kafkajs does', async () => {
    const { expected, actual } = await bothDecode(await encodeBatch(records, { compression: Types.GZIP }));
    expect((actual as { records: unknown[] }).records).toHaveLength(records.length);
    expect(actual).toEqual(expected);
  });

  it('computes offsets and timestamps beyond 2^53 exactly', async () => {
    const big = await encodeBatch(records, {
      firstOffset: Long.fromValue('9007199254740990'),
      firstTimestamp: Long.fromValue('9007199254740000'),
    });
    const { expected, actual } = await bothDecode(big);
    expect(actual).toEqual(expected);
    const decoded = actual as { records: { offset: string; timestamp: string }[] };
    expect(decoded.records[4]!.offset).toBe('9007199254740997');
    expect(decoded.records[4]!.timestamp).toBe(String(9007199254740000n + 2n ** 40n));
    expect(decoded.records[5]!.timestamp).toBe(String(9007199254740000n - 2n ** 52n - 3n));
  });

  it('reads the batch flags: log append time, transactional, control', async () => {
    const bytes = await encodeBatch(records, { transactional: true });
    // Attributes sit at byte 21 of the batch (after offset, length, leader epoch, magic and CRC), which
    // kafkajs does not check: set the log-append-time and control flags in place.
    bytes.writeInt16BE(bytes.readInt16BE(21) | 0x08 | 0x20, 21);
    const { expected, actual } = await bothDecode(bytes);
    expect(actual).toEqual(expected);
    const decoded = actual as {
      inTransaction: boolean;
      records: { timestamp: string; isControlRecord: boolean }[];
    };
    expect(decoded.inTransaction).toBe(true);
    expect(decoded.records.every((r) => r.timestamp === '1700000009999' && r.isControlRecord)).toBe(true);
  });

  it('decodes consecutive batches and leaves the fetch decoder after each, as kafkajs does', async () => {
    const bytes = Buffer.concat([
      await encodeBatch(records),
      await encodeBatch(records.slice(0, 2), { firstOffset: Long.fromValue('1009') }),
    ]);
    const theirs = new Decoder(bytes);
    const ours = new Decoder(bytes);
    for (let i = 0; i < 2; i++) {
      expect(await decode(ours)).toEqual(await kafkajsDecode(theirs));
      expect(ours.offset).toBe(theirs.offset);
    }
    expect(ours.offset).toBe(bytes.length);
  });

  it('decodes an empty batch', async () => {
    const { expected, actual } = await bothDecode(await encodeBatch([]));
    expect(actual).toEqual(expected);
    expect((actual as { records: unknown[] }).records).toEqual([]);
  });

  it("fails a batch the fetch cut short with kafkajs' partial-message error", async () => {
    const bytes = await encodeBatch(records);
    const cut = bytes.subarray(0, bytes.length - 100);
    await expect(kafkajsDecode(new Decoder(cut))).rejects.toThrow(errors.KafkaJSPartialMessageError);
    await expect(decode(new Decoder(cut))).rejects.toThrow(errors.KafkaJSPartialMessageError);
    await expect(decode(new Decoder(cut))).rejects.toThrow(/partial record batch/);
  });

  it('hands out keys and values as views of the fetched bytes, not copies', async () => {
    const bytes = await encodeBatch(records);
    const decoded = (await decode(new Decoder(bytes))) as { records: { value: Buffer | null }[] };
    expect(decoded.records[0]!.value!.buffer).toBe(bytes.buffer);
  });
});
