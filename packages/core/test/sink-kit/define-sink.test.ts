import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigDef,
  ConfigException,
  ConnectException,
  DataException,
  RetriableException,
  defineStreamReactorSink,
  projectRecord,
  type ErrantRecordReporter,
  type ItemFailure,
  type SinkRecord,
  type SinkTaskContext,
} from '../../src/sink-kit/index.js';
import { ConnectorValidator } from '../../src/worker/connector-validator.js';
import { PluginRegistry } from '../../src/worker/plugins.js';
import { WorkerConfig } from '../../src/worker/worker-config.js';
import { fakeConverters } from '../worker/fakes.js';
import { SinkTaskRunner } from '../../src/sink/runner.js';
import type { TaskStatus } from '../../src/sink/runner-types.js';
import { FakeKafka } from '../sink/fake-kafka.js';
import { runnerOptions, waitFor } from '../sink/harness.js';

// A small sink on the kit, over an in-memory "store" that can refuse items, go down, or refuse the
// credentials: it proves what the kit does for every sink built on it.

interface Op {
  readonly id: string;
  readonly target: string;
  readonly doc: Record<string, unknown>;
}

class FakeStore {
  readonly rows = new Map<string, Record<string, unknown>>();
  readonly writes: Op[][] = [];
  down = false;
  /** Writes that fail as if the store were down, before it comes back. */
  outages = 0;
  badCredentials = false;
  inFlight = 0;
  maxInFlight = 0;

  async write(ops: readonly Op[]): Promise<ItemFailure[]> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 2));
      if (this.badCredentials)
        throw Object.assign(new Error('authentication failed for user bob'), { code: 'AUTH' });
      const outage = this.outages > 0;
      if (outage) this.outages--;
      if (this.down || outage)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
      this.writes.push([...ops]);
      const failures: ItemFailure[] = [];
      ops.forEach((op, index) => {
        if (op.doc['poison'])
          failures.push({ index, error: Object.assign(new Error('document too large'), { code: 'BAD' }) });
        else this.rows.set(`${op.target}/${op.id}`, op.doc);
      });
      return failures;
    } finally {
      this.inFlight--;
    }
  }
}

const CERT = 'connect.test.cert';
const KEY = 'connect.test.key';

function testSink(store: FakeStore, tombstones: 'ignore' | 'delete' | 'fail' = 'fail') {
  return defineStreamReactorSink({
    name: '@sluice/sink-test',
    version: '0.0.1',
    className: 'TestSinkConnector',
    aliases: ['com.datamountaineer.streamreactor.connect.test.TestSinkConnector'],
    displayName: 'the test sink',
    prefix: 'connect.test',
    configDef: new ConfigDef()
      .define({ name: CERT, type: 'STRING', default: '', importance: 'LOW', doc: 'client certificate' })
      .define({ name: KEY, type: 'STRING', default: '', importance: 'LOW', doc: 'its key' })
      .define({
        name: 'connect.test.in.flight',
        type: 'INT',
        default: 1,
        importance: 'LOW',
        doc: 'writes at once',
      }),
    kcql: { supported: ['INSERT', 'UPSERT', 'PK', 'BATCH'], ignored: ['AUTOCREATE'] },
    settings: (parsed) => {
      if (parsed[CERT] !== '' && parsed[KEY] === '') {
        throw new ConfigException(KEY, `${CERT} is set, so its private key is needed too.`);
      }
      return { inFlight: parsed['connect.test.in.flight'] as number };
    },
    compile: (statement) => {
      if (statement.writeMode === 'UPSERT' && statement.primaryKeys.length === 0) {
        throw new ConfigException('connect.test.kcql', `UPSERT INTO ${statement.target} needs PK fields.`);
      }
      return { statement, target: statement.target! };
    },
    kcqlWarnings: (statement) =>
      statement.writeMode === 'INSERT' && statement.primaryKeys.length > 0
        ? [`PK on INSERT INTO ${statement.target} has no effect`]
        : [],
    connect: () => store,
    prepare: (record, route): Op => {
      if (record.value === null)
        return { id: String(record.key), target: route.target, doc: { deleted: true } };
      const doc = projectRecord(record, route.statement);
      if (doc['id'] === undefined) throw new DataException(`record at offset ${record.kafkaOffset}: no id`);
      return { id: String(doc['id']), target: route.target, doc };
    },
    write: (connection, ops) => connection.write(ops),
    classify: (e) => {
      const code = (e as { code?: string }).code;
      return code === 'AUTH' ? 'fatal' : code === 'BAD' ? 'data' : undefined;
    },
    tombstones: () => tombstones,
    maxInFlight: (s) => s.inFlight,
  });
}

const base = {
  topics: 'orders,users',
  'connect.test.kcql': 'INSERT INTO t_orders SELECT * FROM orders; INSERT INTO t_users SELECT * FROM users',
};

function record(offset: number, value: unknown, topic = 'orders'): SinkRecord {
  return {
    topic,
    kafkaPartition: 0,
    kafkaOffset: offset,
    keySchema: null,
    key: `k${offset}`,
    valueSchema: null,
    value,
    timestamp: null,
    timestampType: 'CreateTime',
    headers: [],
  };
}

function fakeContext(withReporter: boolean) {
  const reported: { record: SinkRecord; error: Error }[] = [];
  const warnings: string[] = [];
  const timeouts: number[] = [];
  const reporter: ErrantRecordReporter = {
    report: async (r, e) => void reported.push({ record: r, error: e }),
  };
  const log = () => undefined;
  const context = {
    connectorName: 'test-sink',
    taskId: 0,
    configs: () => ({}),
    assignment: () => [],
    offset: log,
    timeout: (ms: number) => void timeouts.push(ms),
    pause: log,
    resume: log,
    requestCommit: log,
    errantRecordReporter: () => (withReporter ? reporter : null),
    logger: { debug: log, info: log, error: log, warn: (m: string) => void warnings.push(m) },
  } as SinkTaskContext;
  return { context, reported, warnings, timeouts };
}

async function started(
  config: Record<string, string>,
  opts: { reporter?: boolean; tombstones?: 'ignore' | 'delete' | 'fail' } = {},
) {
  const store = new FakeStore();
  const plugin = testSink(store, opts.tombstones);
  const task = plugin.createTask();
  const ctx = fakeContext(opts.reporter ?? false);
  await task.start(config, ctx.context);
  return { store, plugin, task, ...ctx };
}

describe('defineStreamReactorSink: the plugin', () => {
  it('has the identity, the aliases and the Stream Reactor common keys', () => {
    const plugin = testSink(new FakeStore());
    expect(plugin.type).toBe('sink');
    expect(plugin.aliases).toContain('com.datamountaineer.streamreactor.connect.test.TestSinkConnector');
    const keys = [...plugin.configDef.configKeys().keys()];
    expect(keys).toEqual(
      expect.arrayContaining([
        CERT,
        'connect.test.kcql',
        'connect.test.error.policy',
        'connect.test.max.retries',
        'connect.test.retry.interval',
        'connect.progress.enabled',
      ]),
    );
  });

  it('reports a cross-key error from settings() at validate time, on the key that causes it', () => {
    const errors = testSink(new FakeStore()).validate({ ...base, [CERT]: '/tmp/c.pem' });
    expect(Object.keys(errors)).toEqual([KEY]);
    expect(errors[KEY]![0]).toMatch(/private key is needed/);
  });

  it('the worker config validation (REST /connector-plugins/<x>/config/validate) shows it on that key', async () => {
    const plugins = new PluginRegistry();
    plugins.register(testSink(new FakeStore()));
    const validator = new ConnectorValidator(plugins, new WorkerConfig({}), fakeConverters);
    const { infos } = await validator.validate({
      name: 'v',
      'connector.class': 'com.datamountaineer.streamreactor.connect.test.TestSinkConnector',
      ...base,
      [CERT]: '/tmp/c.pem',
    });
    expect(infos.error_count).toBe(1);
    const key = infos.configs.find((c) => c.value.name === KEY)!;
    expect(key.value.errors[0]).toMatch(/private key is needed/);
  });

  it('reports a statement compile() refuses on the KCQL key', () => {
    const errors = testSink(new FakeStore()).validate({
      topics: 'orders',
      'connect.test.kcql': 'UPSERT INTO t SELECT * FROM orders',
    });
    expect(errors['connect.test.kcql']![0]).toMatch(/UPSERT INTO t needs PK fields/);
  });

  it('refuses a clause the sink does not support, naming it, at validate and at start', async () => {
    const config = { topics: 'orders', 'connect.test.kcql': 'INSERT INTO t SELECT * FROM orders TTL = 60' };
    const errors = testSink(new FakeStore()).validate(config);
    expect(errors['connect.test.kcql']![0]).toMatch(/uses TTL, which the test sink does not support/);
    await expect(started(config)).rejects.toThrow(/uses TTL/);
  });

  it('accepts a clause Stream Reactor ignored, with one WARN at validate and at start', async () => {
    const config = { topics: 'orders', 'connect.test.kcql': 'INSERT INTO t SELECT * FROM orders AUTOCREATE' };
    const validateWarnings: string[] = [];
    const log = () => undefined;
    const errors = testSink(new FakeStore()).validate(config, {
      debug: log,
      info: log,
      error: log,
      warn: (m) => void validateWarnings.push(m),
    });
    expect(errors).toEqual({});
    expect(validateWarnings).toHaveLength(1);
    expect(validateWarnings[0]).toMatch(/AUTOCREATE.*no effect/);
    const { warnings } = await started(config);
    expect(warnings.filter((w) => /AUTOCREATE/.test(w))).toHaveLength(1);
  });

  it("warns at validate and at start about what a statement uses without effect (the sink's kcqlWarnings)", async () => {
    const config = {
      ...base,
      'connect.test.kcql': 'INSERT INTO t SELECT * FROM orders PK id',
      topics: 'orders',
    };
    const validateWarnings: string[] = [];
    const log = () => undefined;
    expect(
      testSink(new FakeStore()).validate(config, {
        debug: log,
        info: log,
        error: log,
        warn: (m) => void validateWarnings.push(m),
      }),
    ).toEqual({});
    expect(validateWarnings).toEqual(['PK on INSERT INTO t has no effect']);
    const { warnings } = await started(config);
    expect(warnings.filter((w) => w.includes('PK on INSERT INTO t has no effect'))).toHaveLength(1);
  });

  it('leaves errors of single keys to the ConfigDef and still checks the KCQL', () => {
    const errors = testSink(new FakeStore()).validate({
      topics: 'orders',
      'connect.test.in.flight': 'many',
      'connect.test.kcql': 'INSERT INTO t SELECT * FROM orders LIMIT 5',
    });
    expect(Object.keys(errors)).toEqual(['connect.test.kcql']);
    expect(errors['connect.test.kcql']![0]).toMatch(/LIMIT/);
  });
});

describe('defineStreamReactorSink: the task', () => {
  it('routes each record to the statement of its topic', async () => {
    const { store, task } = await started(base);
    await task.put([
      record(0, { id: 'a', n: 1 }),
      record(1, { id: 'b', n: 2 }, 'users'),
      record(2, '{"id":"c","n":3}'),
    ]);
    expect([...store.rows.keys()].sort()).toEqual(['t_orders/a', 't_orders/c', 't_users/b']);
  });

  it('sends a record the store refuses to the errant reporter; its neighbours are written', async () => {
    const { store, task, reported } = await started(base, { reporter: true });
    await task.put([record(0, { id: 'a' }), record(1, { id: 'b', poison: true }), record(2, { id: 'c' })]);
    expect([...store.rows.keys()]).toEqual(['t_orders/a', 't_orders/c']);
    expect(reported.map((r) => r.record.kafkaOffset)).toEqual([1]);
    expect(reported[0]!.error).toBeInstanceOf(DataException);
    expect(reported[0]!.error.message).toMatch(
      /test-sink.*topic orders partition 0 offset 1.*document too large/,
    );
  });

  it('sends a record prepare() cannot map to the errant reporter', async () => {
    const { store, task, reported } = await started(base, { reporter: true });
    await task.put([record(0, { id: 'a' }), record(1, { noId: true })]);
    expect([...store.rows.keys()]).toEqual(['t_orders/a']);
    expect(reported.map((r) => r.record.kafkaOffset)).toEqual([1]);
  });

  it('under NOOP without a DLQ drops only the bad record, counts it and logs its coordinates', async () => {
    const { store, task, warnings } = await started({ ...base, 'connect.test.error.policy': 'NOOP' });
    await task.put([record(0, { id: 'a' }), record(1, { id: 'b', poison: true }), record(2, { id: 'c' })]);
    expect([...store.rows.keys()]).toEqual(['t_orders/a', 't_orders/c']);
    expect(task.droppedRecords).toBe(1);
    expect(warnings.join('\n')).toMatch(/dropped 1 record\(s\) \(topic orders partition 0 offset 1\)/);
  });

  it('under THROW without a DLQ fails the task on a bad record', async () => {
    const { task } = await started(base);
    await expect(task.put([record(0, { id: 'b', poison: true })])).rejects.toThrow(/THROW: the task stops/);
  });

  it('under RETRY a transient store error has the batch redelivered after retry.interval, then it is written', async () => {
    const config = { ...base, 'connect.test.error.policy': 'RETRY', 'connect.test.retry.interval': '1500' };
    const { store, task, timeouts, reported } = await started(config, { reporter: true });
    const batch = [record(0, { id: 'a' }), record(1, { id: 'b', poison: true })];
    store.down = true;
    const failed = task.put(batch);
    await expect(failed).rejects.toBeInstanceOf(RetriableException);
    await expect(failed).rejects.toThrow(/ECONNREFUSED/);
    expect(timeouts.at(-1)).toBe(1500);
    // Nothing of the failed batch went to the DLQ: the redelivery reports it once.
    expect(reported).toHaveLength(0);
    store.down = false;
    await task.put(batch);
    expect([...store.rows.keys()]).toEqual(['t_orders/a']);
    expect(reported.map((r) => r.record.kafkaOffset)).toEqual([1]);
  });

  it('a fatal error fails the task even under RETRY with unlimited retries', async () => {
    const config = { ...base, 'connect.test.error.policy': 'RETRY', 'connect.test.max.retries': '-1' };
    const { store, task } = await started(config);
    store.badCredentials = true;
    const put = task.put([record(0, { id: 'a' })]);
    await expect(put).rejects.toThrow(
      /authentication failed for user bob.*the task stops whatever the error policy/,
    );
    await expect(put).rejects.not.toBeInstanceOf(RetriableException);
    await expect(put).rejects.toBeInstanceOf(ConnectException);
  });

  it('writes BATCH-sized batches with at most maxInFlight at once', async () => {
    const config = {
      topics: 'orders',
      'connect.test.kcql': 'INSERT INTO t SELECT * FROM orders BATCH = 2',
      'connect.test.in.flight': '2',
    };
    const { store, task } = await started(config);
    await task.put(Array.from({ length: 9 }, (_, i) => record(i, { id: `r${i}` })));
    expect(store.writes.map((w) => w.length)).toEqual([2, 2, 2, 2, 1]);
    expect(store.maxInFlight).toBe(2);
    expect(store.rows.size).toBe(9);
  });

  it('tombstones: fail is a data error, ignore skips, delete hands the record to prepare', async () => {
    const tomb = { ...record(1, null), key: 'gone' };
    const failing = await started(base, { reporter: true });
    await failing.task.put([record(0, { id: 'a' }), tomb]);
    expect(failing.reported.map((r) => r.error.message)).toEqual([
      expect.stringMatching(/offset 1.*tombstone/),
    ]);
    const ignoring = await started(base, { reporter: true, tombstones: 'ignore' });
    await ignoring.task.put([tomb]);
    expect(ignoring.store.rows.size).toBe(0);
    expect(ignoring.reported).toHaveLength(0);
    const deleting = await started(base, { tombstones: 'delete' });
    await deleting.task.put([tomb]);
    expect(deleting.store.rows.get('t_orders/gone')).toEqual({ deleted: true });
  });
});

describe('defineStreamReactorSink: in the sink engine', () => {
  const runners: SinkTaskRunner[] = [];
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });

  function run(store: FakeStore, config: Record<string, string>, statuses: TaskStatus[] = []) {
    const kafka = new FakeKafka();
    kafka.addTopic('orders', 1);
    for (let i = 0; i < 50; i++) kafka.append('orders', 0, JSON.stringify({ id: `o${i}` }));
    const runner = new SinkTaskRunner(runnerOptions(kafka, testSink(store).createTask(), config, statuses));
    runners.push(runner);
    return { kafka, runner, started: runner.start() };
  }

  it('RETRY: the engine redelivers after a store outage; every record arrives and is committed', async () => {
    const store = new FakeStore();
    store.outages = 3;
    const { kafka, started } = run(store, {
      topics: 'orders',
      'connect.test.kcql': 'INSERT INTO t SELECT * FROM orders',
      'connect.test.error.policy': 'RETRY',
      'connect.test.retry.interval': '10',
    });
    await started;
    await waitFor(() => kafka.committedOffset('orders', 0) === 50, 'all offsets committed');
    expect(store.rows.size).toBe(50);
    expect(store.outages).toBe(0);
  });

  it('a fatal store error fails the task under RETRY with -1 retries, and commits nothing of the batch', async () => {
    const store = new FakeStore();
    store.badCredentials = true;
    const statuses: TaskStatus[] = [];
    const { kafka, runner, started } = run(
      store,
      {
        topics: 'orders',
        'connect.test.kcql': 'INSERT INTO t SELECT * FROM orders',
        'connect.test.error.policy': 'RETRY',
        'connect.test.max.retries': '-1',
        'connect.test.retry.interval': '10',
      },
      statuses,
    );
    await started;
    await waitFor(() => runner.status().state === 'FAILED', 'FAILED');
    expect(statuses.find((s) => s.state === 'FAILED')!.trace).toContain('authentication failed for user bob');
    expect(kafka.committedOffset('orders', 0) ?? 0).toBe(0);
  });
});
