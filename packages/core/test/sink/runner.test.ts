import { afterEach, describe, expect, it } from 'vitest';
import { ConnectException, RetriableException } from '../../src/errors.js';
import { SinkTaskRunner } from '../../src/sink/runner.js';
import type { TaskStatus } from '../../src/sink/runner-types.js';
import { FakeKafka } from './fake-kafka.js';
import { RecordingTask, runnerOptions, values, waitFor } from './harness.js';

const runners: SinkTaskRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

function start(
  kafka: FakeKafka,
  task: RecordingTask,
  config: Record<string, string>,
  statuses: TaskStatus[] = [],
  worker = {},
) {
  const runner = new SinkTaskRunner(runnerOptions(kafka, task, config, statuses, worker));
  runners.push(runner);
  return runner.start().then(() => runner);
}

function fill(
  kafka: FakeKafka,
  topic: string,
  partitions: number,
  perPartition: number,
  value = (p: number, i: number) => `v-${p}-${i}`,
) {
  kafka.addTopic(topic, partitions);
  for (let p = 0; p < partitions; p++)
    for (let i = 0; i < perPartition; i++) kafka.append(topic, p, value(p, i));
}

describe('SinkTaskRunner delivery', () => {
  it('delivers every record in order per partition and commits what put acknowledged', async () => {
    const kafka = new FakeKafka();
    fill(kafka, 'orders', 3, 250);
    const task = new RecordingTask();
    const statuses: TaskStatus[] = [];
    const runner = await start(kafka, task, { topics: 'orders' }, statuses);
    await waitFor(() => task.delivered.length === 750, 'all records');
    await waitFor(() => [0, 1, 2].every((p) => kafka.committedOffset('orders', p) === 250), 'commits');
    for (let p = 0; p < 3; p++) {
      const got = task.delivered.filter((r) => r.kafkaPartition === p);
      expect(got.map((r) => r.kafkaOffset)).toEqual(Array.from({ length: 250 }, (_, i) => i));
      expect(got[0]!.value).toBe(`v-${p}-0`);
    }
    expect(runner.status().state).toBe('RUNNING');
    expect(statuses.map((s) => s.state)).toContain('RUNNING');
    expect(task.calls.slice(0, 2)).toEqual(['start', 'open']);
  });

  it('hands at most max.poll.records to one put and does not fetch while put is pending', async () => {
    const kafka = new FakeKafka();
    kafka.fetchSize = 1000;
    fill(kafka, 'big', 1, 1000);
    const task = new RecordingTask();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    task.onPut = () => gate;
    await start(kafka, task, { topics: 'big', 'consumer.override.max.poll.records': '200' });
    await waitFor(() => task.puts.length === 1, 'first put');
    await new Promise((r) => setTimeout(r, 100));
    expect(task.puts).toHaveLength(1);
    expect(task.puts[0]).toHaveLength(200);
    expect(kafka.consumers[0]!.maxInHandler).toBe(1);
    expect(kafka.committedOffset('big', 0) ?? 0).toBe(0);
    release();
    await waitFor(() => task.delivered.length === 1000, 'the rest');
    expect(Math.max(...task.puts.map((p) => p.length))).toBe(200);
  });

  it('never commits records whose put has not resolved', async () => {
    const kafka = new FakeKafka();
    fill(kafka, 't', 1, 300);
    const task = new RecordingTask();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    task.onPut = (records) => (records[0]!.kafkaOffset >= 100 ? gate : Promise.resolve());
    // Commits interleave with put() as on Kafka Connect's task thread: none runs while put is pending.
    await start(kafka, task, { topics: 't' });
    await waitFor(() => task.puts.length === 2, 'the blocked put');
    await new Promise((r) => setTimeout(r, 150));
    expect(kafka.committedOffset('t', 0) ?? 0).toBeLessThanOrEqual(100);
    release();
    await waitFor(() => kafka.committedOffset('t', 0) === 300, 'final commit');
  });

  it('redelivers the same batch after RetriableException, after context.timeout, without loss or reordering', async () => {
    const kafka = new FakeKafka();
    fill(kafka, 'r', 2, 120);
    const task = new RecordingTask();
    let failures = 0;
    const times: number[] = [];
    task.onPut = async () => {
      times.push(Date.now());
      if (failures < 3) {
        failures++;
        task.context.timeout(30);
        throw new RetriableException('store unavailable');
      }
    };
    await start(kafka, task, { topics: 'r' }, [], { offsetFlushIntervalMs: 60_000 });
    await waitFor(() => task.delivered.length === 240, 'all records');
    expect(values(task.puts[0]!)).toEqual(values(task.puts[1]!));
    expect(values(task.puts[1]!)).toEqual(values(task.puts[3]!));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(25);
    for (const p of [0, 1]) {
      expect(task.delivered.filter((r) => r.kafkaPartition === p).map((r) => r.kafkaOffset)).toEqual(
        Array.from({ length: 120 }, (_, i) => i),
      );
    }
  });

  it('fails the task on any other put error and commits nothing of the failed batch', async () => {
    const kafka = new FakeKafka();
    fill(kafka, 'f', 1, 250);
    const task = new RecordingTask();
    task.onPut = async (records) => {
      if (records[0]!.kafkaOffset === 200) throw new Error('duplicate key in store');
    };
    const statuses: TaskStatus[] = [];
    const runner = await start(kafka, task, { topics: 'f' }, statuses);
    await waitFor(() => runner.status().state === 'FAILED', 'FAILED');
    await waitFor(() => task.calls.includes('stop'), 'task stopped');
    const failed = statuses.find((s) => s.state === 'FAILED')!;
    expect(failed.trace).toContain("topic 'f' partition 0 offsets 200..249");
    expect(failed.trace).toContain('duplicate key in store');
    expect(kafka.committedOffset('f', 0)).toBe(200);
  });
});

describe('SinkTaskRunner error handling', () => {
  function poisoned(kafka: FakeKafka, topic: string) {
    kafka.addTopic(topic, 1);
    for (let i = 0; i < 50; i++) {
      kafka.append(topic, 0, i === 20 || i === 35 ? `poison-${i}` : `ok-${i}`, {
        key: Buffer.from(`k-${i}`),
        headers: [{ key: 'trace', value: Buffer.from(`h-${i}`) }],
      });
    }
  }

  it('with errors.tolerance=all sends unconvertible records to the DLQ with context headers and delivers the rest', async () => {
    const kafka = new FakeKafka();
    poisoned(kafka, 'in');
    const task = new RecordingTask();
    const runner = await start(kafka, task, {
      topics: 'in',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'dlq',
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    await waitFor(
      () => task.delivered.length === 48 && kafka.committedOffset('in', 0) === 50,
      'delivery and commit',
    );
    expect(runner.status().state).toBe('RUNNING');
    expect(kafka.createdTopics).toEqual([{ topic: 'dlq', numPartitions: 1, replicationFactor: 1 }]);
    expect(kafka.produced.map((r) => r.value!.toString())).toEqual(['poison-20', 'poison-35']);
    const dlq = kafka.produced[0]!;
    expect(dlq.topic).toBe('dlq');
    expect(dlq.key!.toString()).toBe('k-20');
    expect(dlq.timestamp).toBe(1_700_000_000_020);
    const headers = Object.fromEntries(dlq.headers!.map((h) => [h.key, h.value!.toString()]));
    expect(headers).toMatchObject({
      trace: 'h-20',
      '__connect.errors.topic': 'in',
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '20',
      '__connect.errors.connector.name': 'test-sink',
      '__connect.errors.task.id': '0',
      '__connect.errors.stage': 'VALUE_CONVERTER',
      '__connect.errors.class.name': 'TestStringConverter',
      '__connect.errors.exception.class.name': 'org.apache.kafka.connect.errors.DataException',
    });
    expect(headers['__connect.errors.exception.message']).toContain("'poison-20' is not valid");
    expect(headers['__connect.errors.exception.stacktrace']).toContain('DataException');
  });

  it('does not commit past a record until its DLQ write is acknowledged', async () => {
    const kafka = new FakeKafka();
    poisoned(kafka, 'slow');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    kafka.sendHook = () => gate;
    const task = new RecordingTask();
    await start(
      kafka,
      task,
      {
        topics: 'slow',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'dlq2',
        'errors.deadletterqueue.topic.replication.factor': '1',
      },
      [],
      {
        offsetFlushTimeoutMs: 100,
      },
    );
    await waitFor(() => task.delivered.length === 48, 'delivery');
    await new Promise((r) => setTimeout(r, 200));
    expect(kafka.committedOffset('slow', 0) ?? 0).toBeLessThanOrEqual(20);
    release();
    await waitFor(() => kafka.committedOffset('slow', 0) === 50, 'commit after the DLQ write');
  });

  it('with errors.tolerance=none fails naming topic, partition, offset and cause; the commit stops before the poison record', async () => {
    const kafka = new FakeKafka();
    kafka.fetchSize = 10;
    poisoned(kafka, 'strict');
    const task = new RecordingTask();
    const statuses: TaskStatus[] = [];
    const runner = await start(kafka, task, { topics: 'strict' }, statuses);
    await waitFor(() => runner.status().state === 'FAILED', 'FAILED');
    await waitFor(() => task.calls.includes('stop'), 'task stopped');
    const trace = runner.status().trace!;
    expect(trace).toContain('Tolerance exceeded in error handler');
    expect(trace).toContain(
      "task test-sink-0 could not convert the record at topic 'strict' partition 0 offset 20",
    );
    expect(trace).toContain("'poison-20' is not valid");
    expect(task.delivered.map((r) => r.kafkaOffset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(kafka.committedOffset('strict', 0)).toBe(20);
  });

  it('routes records the task reports from put() through the errant record reporter before committing', async () => {
    const kafka = new FakeKafka();
    fill(kafka, 'e', 1, 30);
    const task = new RecordingTask();
    task.onPut = async (records) => {
      const reporter = task.context.errantRecordReporter()!;
      for (const r of records)
        if (r.kafkaOffset % 10 === 3)
          await reporter.report(r, new ConnectException(`bad document ${r.kafkaOffset}`));
    };
    await start(kafka, task, {
      topics: 'e',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'e-dlq',
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    await waitFor(() => kafka.committedOffset('e', 0) === 30, 'commit');
    expect(kafka.produced.map((r) => r.value!.toString())).toEqual(['v-0-3', 'v-0-13', 'v-0-23']);
    const stage = kafka.produced[0]!.headers!.find((h) => h.key === '__connect.errors.stage')!;
    expect(stage.value!.toString()).toBe('TASK_PUT');
  });

  it('offers no errant record reporter when neither tolerance nor a DLQ is configured', async () => {
    const kafka = new FakeKafka();
    fill(kafka, 'n', 1, 1);
    const task = new RecordingTask();
    await start(kafka, task, { topics: 'n' });
    expect(task.context.errantRecordReporter()).toBeNull();
  });
});

describe('SinkTaskRunner lifecycle', () => {
  it('pause stops delivery and commits; resume continues where it stopped', async () => {
    const kafka = new FakeKafka();
    fill(kafka, 'p', 1, 100);
    const task = new RecordingTask();
    const runner = await start(kafka, task, { topics: 'p' }, [], { offsetFlushIntervalMs: 60_000 });
    await waitFor(() => task.delivered.length === 100, 'first records');
    runner.pause();
    expect(runner.status().state).toBe('PAUSED');
    await waitFor(() => kafka.committedOffset('p', 0) === 100, 'commit on pause');
    for (let i = 0; i < 50; i++) kafka.append('p', 0, `late-${i}`);
    await new Promise((r) => setTimeout(r, 50));
    expect(task.delivered).toHaveLength(100);
    runner.resume();
    await waitFor(() => task.delivered.length === 150, 'records after resume');
    expect(task.delivered[100]!.value).toBe('late-0');
  });

  it('rewinds a partition when the task calls context.offset()', async () => {
    const kafka = new FakeKafka();
    fill(kafka, 'w', 1, 20);
    const task = new RecordingTask();
    let rewound = false;
    task.onPut = async () => {
      if (!rewound) {
        rewound = true;
        task.context.offset({ topic: 'w', partition: 0 }, 5);
      }
    };
    await start(kafka, task, { topics: 'w' });
    await waitFor(() => task.delivered.length === 35, 'rewound records');
    expect(task.delivered.slice(20).map((r) => r.kafkaOffset)).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 5),
    );
  });

  it('commits and closes partitions before a rebalance revokes them, then opens the new assignment', async () => {
    const kafka = new FakeKafka();
    fill(kafka, 'g', 1, 300);
    const task = new RecordingTask();
    task.onPut = async (records) => {
      if (records[0]!.kafkaOffset === 100) kafka.consumers[0]!.requestRebalance();
    };
    await start(kafka, task, { topics: 'g' }, [], { offsetFlushIntervalMs: 60_000 });
    await waitFor(() => task.delivered.length === 300, 'all records');
    expect(task.calls.slice(0, 4)).toEqual(['start', 'open', 'close', 'open']);
    expect(kafka.commits[0]).toEqual([{ topic: 'g', partition: 0, offset: 200 }]);
    expect(task.delivered.map((r) => r.kafkaOffset)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('stops gracefully: commits, closes, stops the task', async () => {
    const kafka = new FakeKafka();
    fill(kafka, 's', 2, 10);
    const task = new RecordingTask();
    const runner = await start(kafka, task, { topics: 's' }, [], { offsetFlushIntervalMs: 60_000 });
    await waitFor(() => task.delivered.length === 20, 'records');
    await runner.stop();
    expect(kafka.committedOffset('s', 0)).toBe(10);
    expect(kafka.committedOffset('s', 1)).toBe(10);
    expect(task.calls.slice(-2)).toEqual(['close', 'stop']);
    expect(runner.status().state).toBe('UNASSIGNED');
  });

  it('subscribes with topics.regex matching whole topic names', async () => {
    const kafka = new FakeKafka();
    fill(kafka, 'metrics-a', 1, 3);
    fill(kafka, 'metrics-b', 1, 3);
    fill(kafka, 'xmetrics-c', 1, 3);
    const task = new RecordingTask();
    await start(kafka, task, { 'topics.regex': 'metrics-.*' });
    await waitFor(() => task.delivered.length === 6, 'records');
    expect(new Set(task.delivered.map((r) => r.topic))).toEqual(new Set(['metrics-a', 'metrics-b']));
  });

  it("fails at start with Kafka Connect's message when both topics and topics.regex are set", async () => {
    const kafka = new FakeKafka();
    const task = new RecordingTask();
    const runner = new SinkTaskRunner(runnerOptions(kafka, task, { topics: 'a', 'topics.regex': 'b.*' }));
    runners.push(runner);
    await expect(runner.start()).rejects.toThrow('mutually exclusive');
    expect(runner.status().state).toBe('FAILED');
    expect(runner.status().trace).toContain(
      'topics and topics.regex are mutually exclusive options, but both are set.',
    );
  });
});
