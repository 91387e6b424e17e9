import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigDef,
  ConnectException,
  RetriableException,
  defineStreamReactorSink,
  type ErrantRecordReporter,
  type ItemFailure,
  type OffsetMap,
  type SinkRecord,
  type SinkTaskContext,
  type TopicPartition,
} from '../../src/sink-kit/index.js';
import { SinkTaskRunner } from '../../src/sink/runner.js';
import type { TaskStatus } from '../../src/sink/runner-types.js';
import { FakeKafka } from '../sink/fake-kafka.js';
import { runnerOptions, waitFor } from '../sink/harness.js';

// The kit's write pipeline across puts, over a store whose writes the test acknowledges (or fails) one
// by one: put returns before the store answered, preCommit never releases an offset whose record is
// not acknowledged, same-id writes stay in order, and failures follow the error policy.

interface Op {
  readonly id: string;
  readonly offset: number;
  readonly poison: boolean;
}

interface PendingWrite {
  readonly ops: readonly Op[];
  ack(failures?: ItemFailure[]): void;
  fail(error: Error): void;
}

/** A store whose writes wait for the test (manual) or are acknowledged at once (auto). */
class ManualStore {
  readonly pending: PendingWrite[] = [];
  readonly started: Op[][] = [];
  readonly rows = new Map<string, number>();
  auto = false;
  /** With auto: writes that fail as if the store were down. */
  outages = 0;
  badCredentials = false;

  write(ops: readonly Op[]): Promise<ItemFailure[]> {
    this.started.push([...ops]);
    if (this.auto) return this.autoWrite(ops);
    return new Promise<ItemFailure[]>((resolve, reject) => {
      this.pending.push({
        ops,
        ack: (failures = []) => {
          this.apply(ops, failures);
          resolve(failures);
        },
        fail: reject,
      });
    });
  }

  private async autoWrite(ops: readonly Op[]): Promise<ItemFailure[]> {
    await new Promise((r) => setTimeout(r, 1));
    if (this.badCredentials) throw Object.assign(new Error('authentication failed'), { code: 'AUTH' });
    if (this.outages > 0) {
      this.outages--;
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    }
    const failures = ops.flatMap((op, index) =>
      op.poison ? [{ index, error: Object.assign(new Error('mapping conflict'), { code: 'BAD' }) }] : [],
    );
    this.apply(ops, failures);
    return failures;
  }

  private apply(ops: readonly Op[], failures: readonly ItemFailure[]): void {
    const refused = new Set(failures.map((f) => f.index));
    ops.forEach((op, i) => {
      if (!refused.has(i)) this.rows.set(op.id, op.offset);
    });
  }

  /** The oldest write still waiting. */
  next(): PendingWrite {
    const w = this.pending.shift();
    if (!w) throw new Error('no write is waiting');
    return w;
  }
}

function pipelinedSink(store: ManualStore, opts: { inFlight?: number; ordering?: boolean } = {}) {
  return defineStreamReactorSink({
    name: '@sluice/sink-pipelined',
    version: '0.0.1',
    className: 'PipelinedSinkConnector',
    aliases: [],
    displayName: 'the pipelined test sink',
    prefix: 'connect.pipe',
    configDef: new ConfigDef(),
    kcql: { supported: ['INSERT', 'BATCH'] },
    settings: () => ({}),
    compile: (statement) => statement,
    connect: () => store,
    prepare: (record): Op => {
      const [id, poison] = String(record.value).split(':');
      return { id: id!, offset: record.kafkaOffset, poison: poison === 'poison' };
    },
    write: (connection, ops) => connection.write(ops),
    classify: (e) => {
      const code = (e as { code?: string }).code;
      return code === 'AUTH' ? 'fatal' : code === 'BAD' ? 'data' : undefined;
    },
    pipeline: {
      maxInFlightBatches: () => opts.inFlight ?? 4,
      ...(opts.ordering === false ? {} : { orderingKey: (op: Op) => op.id }),
    },
  });
}

const config = (extra: Record<string, string> = {}) => ({
  topics: 'orders',
  'connect.pipe.kcql': 'INSERT INTO t SELECT * FROM orders',
  ...extra,
});

function record(offset: number, value: string, partition = 0): SinkRecord {
  return {
    topic: 'orders',
    kafkaPartition: partition,
    kafkaOffset: offset,
    keySchema: null,
    key: null,
    valueSchema: null,
    value,
    timestamp: null,
    timestampType: 'CreateTime',
    headers: [],
  };
}

const tp0: TopicPartition = { topic: 'orders', partition: 0 };
const tp1: TopicPartition = { topic: 'orders', partition: 1 };

/** What put() accepted: the next offset per partition, as the engine passes it to preCommit. */
function accepted(...entries: [TopicPartition, number][]): OffsetMap {
  return new Map(entries.map(([tp, offset]) => [`${tp.topic}-${tp.partition}`, { tp, offset }]));
}

const committed = (offsets: OffsetMap) =>
  Object.fromEntries([...offsets].map(([key, { offset }]) => [key, offset]));

async function started(
  store: ManualStore,
  extra: Record<string, string> = {},
  opts: { inFlight?: number; ordering?: boolean; reporter?: boolean } = {},
) {
  const reported: SinkRecord[] = [];
  const rewinds: { tp: TopicPartition; offset: number }[] = [];
  const warnings: string[] = [];
  const reporter: ErrantRecordReporter = { report: async (r) => void reported.push(r) };
  const none = () => undefined;
  const context = {
    connectorName: 'pipe-sink',
    taskId: 0,
    configs: () => ({}),
    assignment: () => [],
    offset: (tp: TopicPartition, offset: number) => void rewinds.push({ tp, offset }),
    timeout: none,
    pause: none,
    resume: none,
    requestCommit: none,
    errantRecordReporter: () => (opts.reporter ? reporter : null),
    logger: { debug: none, info: none, error: none, warn: (m: string) => void warnings.push(m) },
  } as SinkTaskContext;
  const task = pipelinedSink(store, opts).createTask();
  await task.start(config(extra), context);
  return { task, reported, rewinds, warnings };
}

/** Lets settled writes run their continuations. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('write pipeline: put and preCommit', () => {
  it('put returns before the store acknowledged; preCommit releases the offsets once it did', async () => {
    const store = new ManualStore();
    const { task } = await started(store);
    await task.put([record(0, 'a'), record(1, 'b')]);
    expect(store.pending).toHaveLength(1);
    expect(store.rows.size).toBe(0);
    expect(committed(await task.preCommit(accepted([tp0, 2])))).toEqual({ 'orders-0': 0 });
    store.next().ack();
    await settle();
    expect(committed(await task.preCommit(accepted([tp0, 2])))).toEqual({ 'orders-0': 2 });
  });

  it('an unacknowledged earlier batch holds back a later acknowledged one', async () => {
    const store = new ManualStore();
    const { task } = await started(store);
    await task.put([record(0, 'a'), record(1, 'b')]);
    await task.put([record(2, 'c'), record(3, 'd')]);
    await task.put([record(4, 'e')]);
    const [first, second, third] = [store.next(), store.next(), store.next()];
    second.ack();
    third.ack();
    await settle();
    expect(committed(await task.preCommit(accepted([tp0, 5])))).toEqual({ 'orders-0': 0 });
    first.ack();
    await settle();
    expect(committed(await task.preCommit(accepted([tp0, 5])))).toEqual({ 'orders-0': 5 });
  });

  it('tracks partitions apart: one partition waiting does not hold back another', async () => {
    const store = new ManualStore();
    const { task } = await started(store);
    await task.put([record(10, 'a', 0)]);
    await task.put([record(20, 'b', 1)]);
    store.pending[1]!.ack();
    await settle();
    expect(committed(await task.preCommit(accepted([tp0, 11], [tp1, 21])))).toEqual({
      'orders-0': 10,
      'orders-1': 21,
    });
  });

  it('put waits while the window is full (back-pressure) and goes on when a write is acknowledged', async () => {
    const store = new ManualStore();
    const { task } = await started(store, {}, { inFlight: 2 });
    await task.put([record(0, 'a')]);
    await task.put([record(1, 'b')]);
    let returned = false;
    const third = task.put([record(2, 'c')]).then(() => (returned = true));
    await settle();
    expect(returned).toBe(false);
    expect(store.started).toHaveLength(2);
    store.next().ack();
    await third;
    expect(store.started).toHaveLength(3);
  });

  it('a later batch writing the same id starts only after the earlier one settled; other ids do not wait', async () => {
    const store = new ManualStore();
    const { task } = await started(store);
    await task.put([record(0, 'x')]);
    await task.put([record(1, 'x')]);
    await task.put([record(2, 'y')]);
    await settle();
    // The write of offset 1 (same id x) waits; offset 2 (id y) is already writing.
    expect(store.started.map((ops) => ops.map((o) => o.offset))).toEqual([[0], [2]]);
    store.next().ack();
    await settle();
    expect(store.started.map((ops) => ops.map((o) => o.offset))).toEqual([[0], [2], [1]]);
    store.pending.find((w) => w.ops[0]!.offset === 2)!.ack();
    store.pending.find((w) => w.ops[0]!.offset === 1)!.ack();
    await settle();
    expect(store.rows.get('x')).toBe(1);
    expect(committed(await task.preCommit(accepted([tp0, 3])))).toEqual({ 'orders-0': 3 });
  });

  it('without an orderingKey, the batches of one group are written one after another', async () => {
    const store = new ManualStore();
    const { task } = await started(store, {}, { ordering: false });
    await task.put([record(0, 'a')]);
    await task.put([record(1, 'b')]);
    await settle();
    expect(store.started).toHaveLength(1);
    store.next().ack();
    await settle();
    expect(store.started).toHaveLength(2);
  });

  it('close() waits for the writes in flight, and forgets the closed partitions', async () => {
    const store = new ManualStore();
    const { task } = await started(store);
    await task.put([record(0, 'a')]);
    let closed = false;
    const closing = task.close([tp0]).then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    store.next().ack();
    await closing;
    expect(store.rows.get('a')).toBe(0);
  });
});

describe('write pipeline: failures', () => {
  it('a record the store refuses goes to the DLQ; its offset is released only after the report', async () => {
    const store = new ManualStore();
    const { task, reported } = await started(store, {}, { reporter: true });
    await task.put([record(0, 'a'), record(1, 'b:poison'), record(2, 'c')]);
    store.next().ack([{ index: 1, error: Object.assign(new Error('mapping conflict'), { code: 'BAD' }) }]);
    await settle();
    expect(reported).toHaveLength(0);
    expect(committed(await task.preCommit(accepted([tp0, 3])))).toEqual({ 'orders-0': 3 });
    expect(reported.map((r) => r.kafkaOffset)).toEqual([1]);
    expect(store.rows.has('a') && store.rows.has('c')).toBe(true);
  });

  it('RETRY: a failed write makes the next put rewind to the first unacknowledged record and ask for a retry', async () => {
    const store = new ManualStore();
    const { task, rewinds } = await started(store, {
      'connect.pipe.error.policy': 'RETRY',
      'connect.pipe.retry.interval': '10',
    });
    await task.put([record(0, 'a'), record(1, 'b')]);
    await task.put([record(2, 'c')]);
    await task.put([record(3, 'd')]);
    store.next().ack();
    store.next().fail(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    store.next().ack();
    await settle();
    await expect(task.put([record(4, 'e')])).rejects.toBeInstanceOf(RetriableException);
    expect(rewinds).toEqual([{ tp: tp0, offset: 2 }]);
    // Nothing from the failed write on is committed.
    expect(committed(await task.preCommit(accepted([tp0, 4])))).toEqual({ 'orders-0': 2 });
    // The engine delivers the same records again before its seek took effect: they come again after it.
    await task.put([record(4, 'e')]);
    expect(store.started).toHaveLength(3);
    // After the seek: from offset 2 again.
    await task.put([record(2, 'c'), record(3, 'd'), record(4, 'e')]);
    store.next().ack();
    await settle();
    expect(committed(await task.preCommit(accepted([tp0, 5])))).toEqual({ 'orders-0': 5 });
  });

  it('a failed write found by preCommit: preCommit throws (the engine rewinds) and the next put asks for a retry', async () => {
    const store = new ManualStore();
    const { task } = await started(store, { 'connect.pipe.error.policy': 'RETRY' });
    await task.put([record(0, 'a')]);
    store.next().fail(new Error('socket hang up'));
    await settle();
    await expect(task.preCommit(accepted([tp0, 1]))).rejects.toThrow(/socket hang up/);
    await expect(task.put([record(0, 'a')])).rejects.toBeInstanceOf(RetriableException);
    await task.put([record(0, 'a')]);
    store.next().ack();
    await settle();
    expect(committed(await task.preCommit(accepted([tp0, 1])))).toEqual({ 'orders-0': 1 });
  });

  it('THROW: a failed write fails the task at the next put', async () => {
    const store = new ManualStore();
    const { task } = await started(store, { 'connect.pipe.error.policy': 'THROW' });
    await task.put([record(0, 'a')]);
    store.next().fail(new Error('503 Service Unavailable'));
    await settle();
    const error = await task.put([record(1, 'b')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectException);
    expect(error).not.toBeInstanceOf(RetriableException);
    expect((error as Error).message).toMatch(/503 Service Unavailable.*THROW/);
  });

  it('a fatal error fails the task even under RETRY, and is never committed', async () => {
    const store = new ManualStore();
    const { task } = await started(store, {
      'connect.pipe.error.policy': 'RETRY',
      'connect.pipe.max.retries': '-1',
    });
    await task.put([record(0, 'a')]);
    store.next().fail(Object.assign(new Error('authentication failed'), { code: 'AUTH' }));
    await settle();
    await expect(task.preCommit(accepted([tp0, 1]))).rejects.toThrow(/authentication failed/);
    await expect(task.put([record(0, 'a')])).rejects.toThrow(/Retrying cannot help/);
  });

  it('NOOP: the records of a failed write are dropped, counted, and their offsets released', async () => {
    const store = new ManualStore();
    const { task, warnings } = await started(store, { 'connect.pipe.error.policy': 'NOOP' });
    await task.put([record(0, 'a'), record(1, 'b')]);
    store.next().fail(new Error('timeout'));
    await settle();
    expect(committed(await task.preCommit(accepted([tp0, 2])))).toEqual({ 'orders-0': 2 });
    expect(task.droppedRecords).toBe(2);
    expect(warnings.join('\n')).toContain('offset 1');
  });
});

describe('write pipeline: in the sink engine', () => {
  const runners: SinkTaskRunner[] = [];
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });

  function run(store: ManualStore, extra: Record<string, string>, statuses: TaskStatus[] = []) {
    const kafka = new FakeKafka();
    kafka.addTopic('orders', 1);
    for (let i = 0; i < 200; i++) kafka.append('orders', 0, i === 77 ? 'o77:poison' : `o${i % 40}`);
    const task = pipelinedSink(store, { inFlight: 3 }).createTask();
    const runner = new SinkTaskRunner(
      runnerOptions(kafka, task, { ...config(extra), 'max.poll.records': '7' }, statuses),
    );
    runners.push(runner);
    return { kafka, runner, started: runner.start() };
  }

  it('RETRY through store outages: every record is written, the last version of each id wins, all committed', async () => {
    const store = new ManualStore();
    store.auto = true;
    store.outages = 4;
    const { kafka, started } = run(store, {
      'connect.pipe.error.policy': 'RETRY',
      'connect.pipe.retry.interval': '10',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'orders-dlq',
    });
    await started;
    await waitFor(() => kafka.committedOffset('orders', 0) === 200, 'all offsets committed');
    expect(store.outages).toBe(0);
    expect(store.rows.size).toBe(40);
    // Ids repeat every 40 offsets: each row holds the last offset of its id (no older write landed later).
    for (const [id, offset] of store.rows) expect(offset, id).toBe(160 + Number(id.slice(1)));
  });

  it('a fatal error fails the task and commits nothing after the failed write', async () => {
    const store = new ManualStore();
    store.auto = true;
    store.badCredentials = true;
    const statuses: TaskStatus[] = [];
    const { kafka, runner, started } = run(
      store,
      { 'connect.pipe.error.policy': 'RETRY', 'connect.pipe.max.retries': '-1' },
      statuses,
    );
    await started;
    await waitFor(() => runner.status().state === 'FAILED', 'FAILED');
    expect(statuses.find((s) => s.state === 'FAILED')!.trace).toContain('authentication failed');
    expect(kafka.committedOffset('orders', 0) ?? 0).toBe(0);
  });
});
