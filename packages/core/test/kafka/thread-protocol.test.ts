import { describe, expect, it } from 'vitest';
import { packBatch, packedSize, unpackBatch } from '../../src/kafka/kafkajs/thread-protocol.js';
import type { FetchedBatch } from '../../src/kafka/port.js';

describe('packed batches between the consumer thread and the task thread', () => {
  const batch: FetchedBatch = {
    topic: 'orders',
    partition: 3,
    highWatermark: 120,
    nextOffset: 105,
    fetchedOffset: 100,
    messages: [
      {
        offset: 100,
        key: Buffer.from('k1'),
        value: Buffer.from('{"a":1}'),
        timestamp: 1_700_000_000_123,
        timestampType: 'CreateTime',
        headers: [
          { key: 'trace', value: Buffer.from('abc') },
          { key: 'empty', value: null },
          { key: 'trace', value: Buffer.alloc(0) },
        ],
      },
      { offset: 101, key: null, value: null, timestamp: -1, timestampType: 'NoTimestampType', headers: [] },
      // offsets 102–103 compacted away; 104 is the last entry
      {
        offset: 104,
        key: Buffer.alloc(0),
        value: Buffer.from([0, 1, 2, 255]),
        timestamp: 1_700_000_000_999,
        timestampType: 'LogAppendTime',
        headers: [{ key: 'ü-key', value: Buffer.from([9]) }],
      },
    ],
  };

  const ownBuffer = (b: Buffer | null): Buffer | null => {
    if (b === null) return null;
    const copy = Buffer.allocUnsafeSlow(b.length);
    b.copy(copy);
    return copy;
  };
  /** The same records with every key and value in a buffer of its own (as after decompression). */
  const scattered: FetchedBatch = {
    ...batch,
    messages: batch.messages.map((m) => ({
      ...m,
      key: ownBuffer(m.key),
      value: ownBuffer(m.value),
      headers: m.headers.map((h) => ({ key: h.key, value: ownBuffer(h.value) })),
    })),
  };

  it.each([
    ['views of one buffer (copied as one span)', batch],
    ['buffers of their own (copied field by field)', scattered],
  ])('round-trips every field, nulls and empty buffers included: %s', (_, input) => {
    const { packed, transfer } = packBatch(input);
    expect(transfer).toHaveLength(3);
    const back = unpackBatch(structuredClone(packed, { transfer }));
    expect(back.topic).toBe('orders');
    expect(back.partition).toBe(3);
    expect(back.highWatermark).toBe(120);
    expect(back.nextOffset).toBe(105);
    expect(back.fetchedOffset).toBe(100);
    expect(back.messages).toHaveLength(3);
    for (let i = 0; i < input.messages.length; i++) {
      const want = input.messages[i]!;
      const got = back.messages[i]!;
      expect(got.offset).toBe(want.offset);
      expect(got.timestamp).toBe(want.timestamp);
      expect(got.timestampType).toBe(want.timestampType);
      expect(got.key === null ? null : Buffer.from(got.key)).toEqual(want.key);
      expect(got.value === null ? null : Buffer.from(got.value)).toEqual(want.value);
      expect(got.headers.map((h) => [h.key, h.value === null ? null : [...h.value]])).toEqual(
        want.headers.map((h) => [h.key, h.value === null ? null : [...h.value]]),
      );
      if (got.value !== null) expect(Buffer.isBuffer(got.value)).toBe(true);
    }
  });

  it('hands the bytes over instead of copying them: the sender loses access', () => {
    const { packed, transfer } = packBatch(batch);
    const size = packedSize(packed);
    expect(size).toBeGreaterThan(0);
    structuredClone(packed, { transfer });
    expect(packed.bytes.byteLength).toBe(0);
  });

  it('packs an empty batch (all entries were control records)', () => {
    const empty: FetchedBatch = {
      topic: 't',
      partition: 0,
      highWatermark: 10,
      nextOffset: 10,
      fetchedOffset: 8,
      messages: [],
    };
    const { packed, transfer } = packBatch(empty);
    const back = unpackBatch(structuredClone(packed, { transfer }));
    expect(back.messages).toEqual([]);
    expect(back.nextOffset).toBe(10);
    expect(back.fetchedOffset).toBe(8);
  });
});
