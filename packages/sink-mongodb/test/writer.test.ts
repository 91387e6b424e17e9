import { MongoBulkWriteError, MongoNetworkError, MongoServerError, type MongoClient, type Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { MongoOperation } from '../src/operations.js';
import { DocumentRefused, MongoStore, classifyMongoError } from '../src/writer.js';

// A fake Db that records each bulkWrite and can fail chosen operations the way the server reports them.
function fakeDb(
  fail: (op: unknown, i: number) => Record<string, unknown> | undefined = () => undefined,
  delayMs: (ops: unknown[]) => number = () => 5,
  existingIds: readonly unknown[] = [],
) {
  const calls: { collection: string; ops: unknown[]; ordered: boolean }[] = [];
  const db = {
    databaseName: 'test',
    createCollection: async (name: string) => {
      if (name === 'exists') throw new MongoServerError({ message: 'exists', code: 48 });
    },
    collection: (collection: string) => ({
      find: (filter: { _id: { $in: unknown[] } }) => ({
        toArray: async () => filter._id.$in.filter((id) => existingIds.includes(id)).map((_id) => ({ _id })),
      }),
      bulkWrite: async (ops: unknown[], { ordered }: { ordered: boolean }) => {
        await new Promise((r) => setTimeout(r, delayMs(ops)));
        calls.push({ collection, ops, ordered });
        const errors = ops.flatMap((op, index) => {
          const e = fail(op, index);
          return e ? [{ index, ...e }] : [];
        });
        const stop = ordered && errors.length > 0 ? [errors[0]!] : errors;
        if (stop.length > 0) {
          throw new MongoBulkWriteError(
            {
              message: 'bulk failed',
              code: (stop[0] as { code?: unknown }).code,
              writeErrors: stop,
            } as never,
            {} as never,
          );
        }
      },
    }),
  };
  return { db: db as unknown as Db, calls };
}

const log = { debug() {}, info() {}, warn() {}, error() {} };
const store = (db: Db) => new MongoStore({} as MongoClient, db, log, 'm');
const insert = (n: number, id?: number): MongoOperation => ({
  kind: 'insert',
  collection: 'c',
  document: id === undefined ? { n } : { _id: id, n },
});
const replace = (n: number, id: string): MongoOperation => ({
  kind: 'replace',
  collection: 'c',
  id,
  document: { _id: id, n },
});
const nOf = (op: unknown) => {
  const o = op as { insertOne?: { document: { n: number } }; replaceOne?: { replacement: { n: number } } };
  return (o.insertOne?.document ?? o.replaceOne?.replacement)!.n;
};

describe('MongoStore.write', () => {
  it('writes a batch unordered, and ordered when two of its operations share an _id', async () => {
    const { db, calls } = fakeDb();
    await store(db).write([insert(1), insert(2)]);
    await store(db).write([replace(1, 'a'), replace(2, 'a'), replace(3, 'b')]);
    expect(calls.map((c) => [c.ops.length, c.ordered])).toEqual([
      [2, false],
      [3, true],
    ]);
  });

  it('a batch sharing an _id with one still being written waits for it; others do not', async () => {
    const { db, calls } = fakeDb(undefined, (ops) => (nOf(ops[0]) === 1 ? 30 : 1));
    const s = store(db);
    await Promise.all([s.write([replace(1, 'a')]), s.write([replace(2, 'b')]), s.write([replace(3, 'a')])]);
    expect(calls.map((c) => nOf(c.ops[0]))).toEqual([2, 1, 3]);
  });

  it('skips a duplicate on _id for inserts (a replay), refuses one on a unique secondary index', async () => {
    const { db } = fakeDb((op) => {
      const n = nOf(op);
      if (n === 1)
        return {
          code: 11000,
          errmsg: 'E11000 duplicate key error index: _id_ dup key',
          keyPattern: { _id: 1 },
        };
      if (n === 2)
        return {
          code: 11000,
          errmsg: 'E11000 duplicate key error index: email_1 dup key',
          keyPattern: { email: 1 },
        };
      if (n === 3)
        return {
          code: 11000,
          errmsg: 'E11000 duplicate key error collection: test.c index: _id_ dup key: { _id: 3 }',
        };
      return undefined;
    });
    const failures = await store(db).write([insert(1, 1), insert(2, 2), insert(3, 3), insert(4, 4)]);
    expect(failures.map((f) => f.index)).toEqual([1]);
    expect(failures[0]!.error).toBeInstanceOf(DocumentRefused);
    expect((failures[0]!.error as Error).message).toMatch(
      /MongoDB refused the insert into test\.c: E11000 duplicate key error index: email_1 dup key \(code 11000\)/,
    );
    expect(classifyMongoError(failures[0]!.error)).toBe('data');
  });

  it('a server that does not name the index (FerretDB): a duplicate is a replay only if that _id exists', async () => {
    const { db } = fakeDb(
      (op) =>
        [1, 2].includes(nOf(op))
          ? { code: 11000, errmsg: 'E11000 duplicate key error collection: test.c' }
          : undefined,
      () => 1,
      [1],
    );
    const failures = await store(db).write([insert(1, 1), insert(2, 2), insert(3, 3)]);
    expect(failures.map((f) => f.index)).toEqual([1]);
    expect(classifyMongoError(failures[0]!.error)).toBe('data');
  });

  it('after a refused document in an ordered batch, writes the rest of it; indexes are the batch’s', async () => {
    const { db, calls } = fakeDb((op) => (nOf(op) === 2 ? { code: 2, errmsg: 'bad' } : undefined));
    const failures = await store(db).write([replace(1, 'a'), replace(2, 'a'), replace(3, 'a')]);
    expect(failures.map((f) => f.index)).toEqual([1]);
    expect(calls.map((c) => c.ops.length)).toEqual([3, 1]);
  });

  it('lets connection errors through for the error policy', async () => {
    const db = {
      databaseName: 't',
      createCollection: async () => {
        throw new MongoNetworkError('connect ECONNREFUSED');
      },
    } as unknown as Db;
    await expect(store(db).write([insert(1)])).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('classifyMongoError', () => {
  it('per-document errors by code: network, timeout and not-primary → transient, auth → fatal, others → data', () => {
    const refused = (code: number) => new DocumentRefused('refused', code);
    expect(classifyMongoError(refused(10107))).toBe('transient'); // NotWritablePrimary
    expect(classifyMongoError(refused(89))).toBe('transient'); // NetworkTimeout
    expect(classifyMongoError(refused(64))).toBe('transient'); // WriteConcernFailed
    expect(classifyMongoError(refused(13))).toBe('fatal'); // Unauthorized
    expect(classifyMongoError(refused(11000))).toBe('data');
    expect(classifyMongoError(refused(2))).toBe('data');
  });

  it('whole-write errors: network → transient, authentication → fatal, others left to the kit', () => {
    expect(classifyMongoError(new MongoNetworkError('reset'))).toBe('transient');
    expect(classifyMongoError(new MongoServerError({ message: 'auth', code: 18 }))).toBe('fatal');
    expect(classifyMongoError(new Error('other'))).toBeUndefined();
  });
});
