import { MongoBulkWriteError, MongoServerError, type Db } from 'mongodb';
import { DataException } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import type { MongoOperation } from '../src/operations.js';
import { MongoWriter, type PendingWrite } from '../src/writer.js';
import { record } from './records.js';

// A fake Db that records each bulkWrite and can fail chosen operations the way the server reports them.
function fakeDb(
  fail: (op: unknown, i: number) => { code: number; errmsg: string } | undefined = () => undefined,
) {
  const calls: { collection: string; ops: unknown[]; ordered: boolean }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const db = {
    databaseName: 'test',
    createCollection: async (name: string) => {
      if (name === 'exists') throw new MongoServerError({ message: 'exists', code: 48 });
    },
    collection: (collection: string) => ({
      bulkWrite: async (ops: unknown[], { ordered }: { ordered: boolean }) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        calls.push({ collection, ops, ordered });
        const errors = ops.flatMap((op, index) => {
          const e = fail(op, index);
          return e ? [{ index, ...e }] : [];
        });
        const stop = ordered && errors.length > 0 ? [errors[0]!] : errors;
        if (stop.length > 0) {
          throw new MongoBulkWriteError(
            { message: 'bulk failed', code: stop[0]!.code, writeErrors: stop } as never,
            {} as never,
          );
        }
      },
    }),
  };
  return { db: db as unknown as Db, calls, maxInFlight: () => maxInFlight };
}

const log = { debug() {}, info() {}, warn() {}, error() {} };
const insert = (n: number, collection = 'c', batchSize = 2): PendingWrite => ({
  record: record({ n }, { kafkaOffset: n }),
  collection,
  batchSize,
  operation: { kind: 'insert', document: { n } },
});
const replace = (n: number, id: string): PendingWrite => ({
  record: record({ n }, { kafkaOffset: n }),
  collection: 'c',
  batchSize: 2,
  operation: { kind: 'replace', id, document: { _id: id, n } } as MongoOperation,
});

describe('MongoWriter', () => {
  it('splits by collection and BATCH size, unordered, with bounded concurrency', async () => {
    const { db, calls, maxInFlight } = fakeDb();
    const writer = new MongoWriter(db, { connectorName: 'm', maxInFlight: 2, logger: log });
    const bad = await writer.write([insert(1), insert(2), insert(3), insert(4, 'exists', 10), insert(5)]);
    expect(bad).toEqual([]);
    const sizes = calls.map((c) => [c.collection, c.ops.length, c.ordered]).sort();
    expect(sizes).toEqual([
      ['c', 2, false],
      ['c', 2, false],
      ['exists', 1, false],
    ]);
    expect(maxInFlight()).toBe(2);
  });

  it('runs batches that repeat an _id ordered and one after another, so the last record wins', async () => {
    const { db, calls, maxInFlight } = fakeDb();
    const writer = new MongoWriter(db, { connectorName: 'm', maxInFlight: 4, logger: log });
    await writer.write([replace(1, 'a'), replace(2, 'a'), replace(3, 'b'), replace(4, 'a')]);
    expect(calls.map((c) => [c.ops.length, c.ordered])).toEqual([
      [2, true],
      [2, false],
    ]);
    expect(maxInFlight()).toBe(1);
  });

  it('skips duplicate keys on insert (a replay) and returns other refused documents as record errors', async () => {
    const { db } = fakeDb((op, i) => {
      const n = (op as { insertOne: { document: { n: number } } }).insertOne.document.n;
      if (n === 1) return { code: 11000, errmsg: 'E11000 duplicate key' };
      if (n === 2 && i >= 0) return { code: 2, errmsg: "bad '$field'" };
      return undefined;
    });
    const writer = new MongoWriter(db, { connectorName: 'm', maxInFlight: 1, logger: log });
    const bad = await writer.write([insert(1, 'c', 10), insert(2, 'c', 10), insert(3, 'c', 10)]);
    expect(bad).toHaveLength(1);
    expect(bad[0]!.record.kafkaOffset).toBe(2);
    expect(bad[0]!.error).toBeInstanceOf(DataException);
    expect(bad[0]!.error.message).toMatch(
      /offset 2: MongoDB refused the insert into test\.c: bad '\$field' \(code 2\)/,
    );
  });

  it('after a refused document in an ordered batch, writes the rest of the batch', async () => {
    const { db, calls } = fakeDb((op) =>
      (op as { replaceOne: { replacement: { n: number } } }).replaceOne.replacement.n === 1
        ? { code: 2, errmsg: 'bad' }
        : undefined,
    );
    const writer = new MongoWriter(db, { connectorName: 'm', maxInFlight: 1, logger: log });
    const writes = [replace(1, 'a'), replace(2, 'a')].map((w) => ({ ...w, batchSize: 10 }));
    const bad = await writer.write(writes);
    expect(bad.map((b) => b.record.kafkaOffset)).toEqual([1]);
    expect(calls.map((c) => c.ops.length)).toEqual([2, 1]);
  });

  it('lets connection errors through for the error policy', async () => {
    const db = {
      databaseName: 't',
      createCollection: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    } as unknown as Db;
    const writer = new MongoWriter(db, { connectorName: 'm', maxInFlight: 1, logger: log });
    await expect(writer.write([insert(1)])).rejects.toThrow(/ECONNREFUSED/);
  });
});
