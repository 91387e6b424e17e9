import { ConnectException, RetriableException, type SinkRecord, type SinkTaskContext } from '@sluice/core';
import { MongoServerError } from 'mongodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { record } from './records.js';

// The task with its MongoDB client replaced by a fake: what put() hands to the writer, to the DLQ and
// to the error policy.
const written: { collection: string; ops: unknown[] }[] = [];
let failWrites: Error | null = null;

vi.mock('../src/client.js', () => ({
  createMongoClient: () => ({
    db: () => ({
      databaseName: 'db',
      createCollection: async () => undefined,
      collection: (collection: string) => ({
        bulkWrite: async (ops: unknown[]) => {
          if (failWrites) throw failWrites;
          written.push({ collection, ops });
        },
      }),
    }),
    close: async () => undefined,
  }),
}));

const { default: plugin } = await import('../src/index.js');

function context(reporter: ((r: SinkRecord, e: Error) => Promise<void>) | null) {
  const timeout = vi.fn();
  const ctx = {
    connectorName: 'mongo-it',
    taskId: 0,
    configs: () => ({}),
    timeout,
    errantRecordReporter: () => (reporter ? { report: reporter } : null),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  } as unknown as SinkTaskContext;
  return { ctx, timeout };
}

const config = (extra: Record<string, string> = {}) => ({
  topics: 'sensors',
  'connect.mongo.connection': 'mongodb://127.0.0.1:1',
  'connect.mongo.db': 'db',
  'connect.mongo.kcql': 'UPSERT INTO a SELECT * FROM sensors PK id; INSERT INTO b SELECT id FROM sensors',
  ...extra,
});

beforeEach(() => {
  written.length = 0;
  failWrites = null;
});

describe('MongoSinkTask', () => {
  it('fans a record out to every statement of its topic and reports bad records to the DLQ', async () => {
    const reported: SinkRecord[] = [];
    const { ctx } = context(async (r) => void reported.push(r));
    const task = plugin.createTask();
    await task.start(config(), ctx);
    await task.put([
      record({ id: 1 }),
      record({ nope: 2 }, { kafkaOffset: 18 }),
      record({ id: 3 }, { kafkaOffset: 19 }),
    ]);
    expect(written.map((w) => [w.collection, w.ops.length]).sort()).toEqual([
      ['a', 2],
      ['b', 2],
    ]);
    expect(reported.map((r) => r.kafkaOffset)).toEqual([18, 18]);
    await task.stop();
  });

  it('without a DLQ a bad record fails the batch under THROW', async () => {
    const task = plugin.createTask();
    await task.start(config(), context(null).ctx);
    await expect(task.put([record({ nope: 1 })])).rejects.toThrow(ConnectException);
  });

  it('under RETRY a store failure asks for redelivery after retry.interval', async () => {
    const { ctx, timeout } = context(null);
    const task = plugin.createTask();
    await task.start(
      config({ 'connect.mongo.error.policy': 'RETRY', 'connect.mongo.retry.interval': '1500' }),
      ctx,
    );
    expect(timeout).toHaveBeenCalledWith(1500);
    failWrites = new Error('connection refused');
    await expect(task.put([record({ id: 1 })])).rejects.toBeInstanceOf(RetriableException);
    failWrites = null;
    await task.put([record({ id: 1 })]);
    expect(written).toHaveLength(2);
  });

  it('an authentication failure stops the task even under RETRY with unlimited retries', async () => {
    const { ctx } = context(null);
    const task = plugin.createTask();
    await task.start(
      config({ 'connect.mongo.error.policy': 'RETRY', 'connect.mongo.max.retries': '-1' }),
      ctx,
    );
    failWrites = new MongoServerError({ message: 'Authentication failed.', code: 18 });
    const failure = await task.put([record({ id: 1 })]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectException);
    expect(failure).not.toBeInstanceOf(RetriableException);
    expect((failure as Error).message).toMatch(/Authentication failed\..*Retrying cannot help/);
  });

  it('refuses to start on KCQL it cannot honour, naming the key', async () => {
    const task = plugin.createTask();
    await expect(
      task.start(
        config({ 'connect.mongo.kcql': 'INSERT INTO a SELECT * FROM sensors WITHTAG (x)' }),
        context(null).ctx,
      ),
    ).rejects.toThrow(
      /connect\.mongo\.kcql: statement 1 \(FROM sensors\) uses WITHTAG, which the MongoDB sink does not support/,
    );
  });
});
