import { describe, expect, it } from 'vitest';
import { RetriableException } from '../../src/errors.js';
import type { SinkRecord } from '../../src/sink/api.js';
import type { SinkTaskRunnerOptions } from '../../src/sink/runner-types.js';
import { RecordingTask } from '../sink/harness.js';
import {
  committedOffsets,
  createTopic,
  produce,
  quietLogger,
  startRunner,
  uniqueName,
  useEngineKafka,
  waitUntil,
} from './engine-kafka.js';

// Two workers of one connector in one consumer group, on real Kafka (issue 13, defect 2): a partition
// moves from a worker that is waiting to redeliver a batch to a worker that joins. kafkajs rejoins
// without waiting for the old owner, so the new owner writes at once; the old owner must not put
// records of the moved partition afterwards (an out-of-order overwrite for upsert sinks), and no
// record may be lost in the hand-over.

const engine = useEngineKafka();

interface Attempt {
  worker: string;
  partition: number;
  at: number;
}

/** Both workers write to one "store"; worker A's store is down until told otherwise. */
function store() {
  const attempts: Attempt[] = [];
  const written: { worker: string; partition: number; offset: number; at: number }[] = [];
  const state = { aDown: true };
  const task = (worker: string) => {
    const t = new RecordingTask();
    t.onPut = async (records: readonly SinkRecord[]) => {
      const at = Date.now();
      attempts.push({ worker, partition: records[0]!.kafkaPartition, at });
      if (worker === 'A' && state.aDown) {
        // A long redelivery wait, as a sink's retry.interval gives.
        t.context.timeout(8000);
        throw new RetriableException('store unavailable');
      }
      for (const r of records)
        written.push({ worker, partition: r.kafkaPartition, offset: r.kafkaOffset, at });
    };
    return t;
  };
  return { attempts, written, state, task };
}

const rows = (topic: string, partitions: number, perPartition: number, from = 0) =>
  Array.from({ length: partitions * perPartition }, (_, i) => ({
    topic,
    partition: i % partitions,
    key: Buffer.from(`k-${from + i}`),
    value: Buffer.from(`v-${from + i}`),
  }));

/**
 * Two workers A and B of one connector, with no periodic commit (only a revocation commits), on a topic of
 * two partitions that already holds 100 records each. Every write is recorded with its worker; A's flush
 * takes `slow.flushMs`.
 */
async function idleHandOver(kind: string, worker: Partial<SinkTaskRunnerOptions['worker']>) {
  const topic = uniqueName(`engine-${kind}`);
  const connector = uniqueName(`${kind}-sink`);
  await createTopic(engine.bootstrap, topic, 2);
  await produce(engine.bootstrap, rows(topic, 2, 100));
  const written: { worker: string; partition: number; offset: number }[] = [];
  const slow = { flushMs: 0 };
  const start = async (name: 'A' | 'B') => {
    const t = new RecordingTask() as RecordingTask & { flush(): Promise<void> };
    t.onPut = async (records: readonly SinkRecord[]) => {
      for (const r of records)
        written.push({ worker: name, partition: r.kafkaPartition, offset: r.kafkaOffset });
    };
    t.flush = () => new Promise((resolve) => setTimeout(resolve, name === 'A' ? slow.flushMs : 0));
    const settings = { offsetFlushIntervalMs: 600_000, ...worker };
    const r = startRunner(engine.bootstrap, connector, t, { topics: topic }, [], quietLogger, settings);
    engine.running.push(r.runner);
    await r.started;
  };
  const committed = () => committedOffsets(engine.bootstrap, `connect-${connector}`, topic);
  const key = (w: { partition: number; offset: number }) => `${w.partition}@${w.offset}`;
  /** Records written by more than one put, with the workers that wrote them. */
  const writtenTwice = () => {
    const writers = new Map<string, string[]>();
    for (const w of written) writers.set(key(w), [...(writers.get(key(w)) ?? []), w.worker]);
    return [...writers].filter(([, ws]) => ws.length > 1);
  };
  return {
    topic,
    written,
    slow,
    start,
    committed,
    distinct: () => new Set(written.map(key)).size,
    writtenTwice,
    produceMore: () => produce(engine.bootstrap, rows(topic, 2, 50, 200)),
  };
}

describe('sink engine against real Kafka: a partition handed over between two workers', () => {
  it('the old owner puts nothing of a moved partition after the hand-over; nothing is lost', async () => {
    const topic = uniqueName('engine-handover');
    const connector = uniqueName('handover-sink');
    await createTopic(engine.bootstrap, topic, 2);
    await produce(engine.bootstrap, rows(topic, 2, 200));
    const s = store();
    const config = { topics: topic, 'consumer.override.max.poll.records': '50' };

    const a = startRunner(engine.bootstrap, connector, s.task('A'), config);
    engine.running.push(a.runner);
    await a.started;
    await waitUntil(() => s.attempts.some((x) => x.worker === 'A'), 'the first refused put of worker A');

    // Worker B joins while A waits to redeliver: the group rebalances and B gets a partition.
    const b = startRunner(engine.bootstrap, connector, s.task('B'), config);
    engine.running.push(b.runner);
    await b.started;
    await waitUntil(() => s.written.some((w) => w.worker === 'B'), 'the first write of worker B', 60_000);
    const moved = s.written.find((w) => w.worker === 'B')!.partition;

    // More records arrive mid-stream; A's store recovers after a while.
    const triesOfA = () => s.attempts.filter((x) => x.worker === 'A').length;
    const before = triesOfA();
    await produce(engine.bootstrap, rows(topic, 2, 100, 400));
    // A redelivers once more (after its 8 s retry wait) while its store is still down, then it recovers.
    await waitUntil(() => triesOfA() > before, 'another refused put of worker A', 30_000);
    s.state.aDown = false;

    const complete = () =>
      [0, 1].every((p) => {
        const got = new Set(s.written.filter((w) => w.partition === p).map((w) => w.offset));
        return got.size === 300;
      });
    await waitUntil(complete, 'every record of both partitions written', 60_000);

    // The moved partition: once B wrote to it, A attempted no put of it.
    const firstByB = Math.min(
      ...s.written.filter((w) => w.worker === 'B' && w.partition === moved).map((w) => w.at),
    );
    const lateByA = s.attempts.filter((x) => x.worker === 'A' && x.partition === moved && x.at >= firstByB);
    expect(lateByA).toEqual([]);
    // And B wrote that partition in offset order from where A had committed (nothing: A stored nothing).
    const byB = s.written.filter((w) => w.worker === 'B' && w.partition === moved).map((w) => w.offset);
    expect(byB.slice(0, 300)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    await waitUntil(async () => {
      const c = await committedOffsets(engine.bootstrap, `connect-${connector}`, topic);
      return c.get(0) === 300 && c.get(1) === 300;
    }, 'commits of both partitions');
  });

  it('a rebalance kafkajs notices itself on an idle topic: the old owner commits before it rejoins, and nothing is written twice', async () => {
    const h = await idleHandOver('idle-rebalance', {});
    await h.start('A');
    await waitUntil(() => h.written.length === 200, 'worker A writing all 200 records');
    // Nothing committed yet (-1: no offset).
    expect(await h.committed()).toEqual(
      new Map([
        [0, -1],
        [1, -1],
      ]),
    );

    // The topic is idle: A's kafkajs learns of B's join from a heartbeat between empty fetches, in its own
    // loop, and rejoins from there.
    await h.start('B');
    await waitUntil(
      async () => {
        const c = await h.committed();
        return c.get(0) === 100 && c.get(1) === 100;
      },
      'the revocation commit of both partitions',
      30_000,
    );
    await h.produceMore();
    await waitUntil(
      () => h.distinct() === 300,
      'all 300 records written',
      60_000,
      () => `${h.written.length} writes, B wrote ${h.written.filter((w) => w.worker === 'B').length}`,
    );
    // B got a partition and read it from A's commit: the second batch only.
    expect(h.written.filter((w) => w.worker === 'B').length).toBeGreaterThan(0);
    expect(h.writtenTwice()).toEqual([]);
  });

  it('a revocation that outlasts the session (a slow flush): the member heartbeats meanwhile, stays in the group, and its commit lands', async () => {
    // Session 10 s (startRunner's); A's flush on revocation takes 13 s and may (offset.flush.timeout.ms).
    const h = await idleHandOver('slow-revoke', { offsetFlushTimeoutMs: 30_000 });
    await h.start('A');
    await waitUntil(() => h.written.length === 200, 'worker A writing all 200 records');
    h.slow.flushMs = 13_000;

    await h.start('B');
    await waitUntil(
      async () => {
        const c = await h.committed();
        return c.get(0) === 100 && c.get(1) === 100;
      },
      "A's revocation commit of both partitions, after its slow flush",
      40_000,
    );
    h.slow.flushMs = 0;
    await h.produceMore();
    await waitUntil(() => h.distinct() === 300, 'all 300 records written', 60_000);
    // Still a member after the flush: A got a partition back in the rebalance it delayed.
    expect(
      new Set(h.written.filter((w) => w.worker === 'A' && w.offset >= 100).map((w) => w.partition)).size,
    ).toBe(1);
    expect(h.writtenTwice()).toEqual([]);
  });
});
