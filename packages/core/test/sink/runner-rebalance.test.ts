import { afterEach, describe, expect, it } from 'vitest';
import { RetriableException } from '../../src/errors.js';
import { SinkTaskRunner } from '../../src/sink/runner.js';
import { FakeKafka } from './fake-kafka.js';
import { RecordingTask, runnerOptions, waitFor } from './harness.js';

// A rebalance announced while the task is busy (issue 13, defect 2): kafkajs rejoins without waiting
// for the revocation callback, so the partition's next owner may already write. The old owner must
// stop putting records of a revoked partition at once, retry waits included.

const runners: SinkTaskRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

async function start(kafka: FakeKafka, task: RecordingTask, config: Record<string, string>) {
  // A long commit interval: the redelivery wait after a RetriableException lasts until the next commit.
  const runner = new SinkTaskRunner(
    runnerOptions(kafka, task, config, [], { offsetFlushIntervalMs: 60_000 }),
  );
  runners.push(runner);
  await runner.start();
  return runner;
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  ]);
}

describe('SinkTaskRunner when partitions are revoked during work (defect 2)', () => {
  it('cuts a retry wait short, puts nothing more of the revoked partition, and closes it', async () => {
    const kafka = new FakeKafka();
    kafka.addTopic('moving', 1);
    for (let i = 0; i < 100; i++) kafka.append('moving', 0, `r-${i}`);
    const old = new RecordingTask();
    const putTimes: number[] = [];
    old.onPut = async () => {
      putTimes.push(Date.now());
      throw new RetriableException('store unavailable');
    };
    await start(kafka, old, { topics: 'moving' });
    await waitFor(() => putTimes.length === 1, 'the first (refused) put');

    // The partition moves to another worker: the old one is left with nothing.
    const consumer = kafka.consumers[0]!;
    await within(consumer.revokeConcurrently([]), 2000, 'the revocation');
    const revokedAt = consumer.revocationStartedAt!;
    expect(old.calls).toContain('close');

    // The new owner delivers everything, in order, while the old one stays quiet.
    const next = new RecordingTask();
    await start(kafka, next, { topics: 'moving' });
    await waitFor(() => next.delivered.length === 100, 'delivery by the new owner');
    expect(next.delivered.map((r) => r.kafkaOffset)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(putTimes.filter((t) => t > revokedAt)).toEqual([]);
    expect(old.delivered).toEqual([]);
  });

  it('finishes the put in progress, then hands over no further chunk of the revoked partition', async () => {
    const kafka = new FakeKafka();
    kafka.addTopic('busy', 1);
    for (let i = 0; i < 100; i++) kafka.append('busy', 0, `r-${i}`);
    const task = new RecordingTask();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    task.onPut = (records) => (records[0]!.kafkaOffset === 0 ? gate : Promise.resolve());
    await start(kafka, task, { topics: 'busy', 'consumer.override.max.poll.records': '20' });
    await waitFor(() => task.puts.length === 1, 'the first put');

    const consumer = kafka.consumers[0]!;
    const revocation = consumer.revokeConcurrently([]);
    release();
    await within(revocation, 2000, 'the revocation');
    expect(task.puts).toHaveLength(1);
    // What put acknowledged is committed before the partition is given up; nothing after it.
    expect(kafka.committedOffset('busy', 0)).toBe(20);
    expect(task.calls.slice(-1)).toEqual(['close']);
  });

  it('partitions revoked while the task stops are not committed by the stop (their new owner may have moved on)', async () => {
    // A worker woken from a freeze stops its tasks while their consumers learn that the group went on
    // without them: what the task acknowledged before the freeze is older than what the new owner
    // committed since, and must not be written over it.
    const kafka = new FakeKafka();
    kafka.addTopic('frozen', 1);
    for (let i = 0; i < 10; i++) kafka.append('frozen', 0, `r-${i}`);
    const task = new RecordingTask();
    const runner = await start(kafka, task, { topics: 'frozen' });
    await waitFor(() => task.delivered.length === 10, 'delivery');
    expect(kafka.commits).toEqual([]);

    const stopping = runner.stop();
    await within(kafka.consumers[0]!.revokeConcurrently([]), 2000, 'the revocation');
    await stopping;
    expect(kafka.commits).toEqual([]);
  });

  it('a partition assigned back after its revocation commit was refused resumes at what the task acknowledged', async () => {
    const kafka = new FakeKafka();
    kafka.addTopic('back', 1);
    for (let i = 0; i < 100; i++) kafka.append('back', 0, `r-${i}`);
    const task = new RecordingTask();
    await start(kafka, task, { topics: 'back' });
    await waitFor(() => task.delivered.length === 100, 'the first 100 records');

    // kafkajs rejoins while the revocation commits: the coordinator refuses the commit of the old
    // generation, and the same partition comes back in the new one.
    let refused = 0;
    kafka.commitHook = async () => {
      if (refused++ === 0) throw new Error('REBALANCE_IN_PROGRESS');
    };
    await within(kafka.consumers[0]!.revokeConcurrently(), 2000, 'the rebalance');
    await waitFor(() => kafka.committedOffset('back', 0) === 100, 'the refused offsets committed');
    kafka.append('back', 0, 'r-100');
    await waitFor(() => task.delivered.length >= 101, 'the next record');
    // Nothing the store had acknowledged is written again.
    expect(task.delivered.map((r) => r.kafkaOffset)).toEqual(Array.from({ length: 101 }, (_, i) => i));
  });
});
