import { afterEach, describe, expect, it } from 'vitest';
import { RetriableException } from '../../src/errors.js';
import type { OffsetMap, SinkRecord } from '../../src/sink/api.js';
import { SinkTaskRunner } from '../../src/sink/runner.js';
import { FakeKafka } from './fake-kafka.js';
import { RecordingTask, runnerOptions, waitFor } from './harness.js';

// What the engine commits when the task's flush/preCommit fails or claims more than put accepted
// (issue 13, defects 1 and 4). The invariant: a committed offset never passes a record the task did
// not store.

const runners: SinkTaskRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

async function start(kafka: FakeKafka, task: RecordingTask, config: Record<string, string>) {
  const runner = new SinkTaskRunner(runnerOptions(kafka, task, config));
  runners.push(runner);
  await runner.start();
  return runner;
}

/** Buffers in put and writes in flush, like a file or bulk sink; a failed flush loses its buffer. */
class BufferingTask extends RecordingTask {
  readonly stored: SinkRecord[] = [];
  private buffer: SinkRecord[] = [];
  failFlushes = 0;

  constructor() {
    super();
    this.onPut = async (records) => {
      this.buffer.push(...records);
    };
  }

  async flush(): Promise<void> {
    const pending = this.buffer;
    this.buffer = [];
    if (this.failFlushes > 0) {
      this.failFlushes--;
      throw new Error('disk full');
    }
    this.stored.push(...pending);
  }

  storedOffsets(partition: number): Set<number> {
    return new Set(this.stored.filter((r) => r.kafkaPartition === partition).map((r) => r.kafkaOffset));
  }
}

/** Every offset below the committed one of each partition was stored by the task. */
function expectCommittedStored(kafka: FakeKafka, task: BufferingTask, topic: string, partitions: number) {
  for (let p = 0; p < partitions; p++) {
    const committed = kafka.committedOffset(topic, p) ?? 0;
    const stored = task.storedOffsets(p);
    const missing = Array.from({ length: committed }, (_, i) => i).filter((o) => !stored.has(o));
    expect(missing, `partition ${p}: committed ${committed} but these offsets were never stored`).toEqual([]);
  }
}

describe('SinkTaskRunner after a failed flush (defect 1)', () => {
  it('redelivers and commits nothing it did not store when the very first flush fails', async () => {
    const kafka = new FakeKafka();
    kafka.addTopic('first', 1);
    for (let i = 0; i < 100; i++) kafka.append('first', 0, `r-${i}`);
    const task = new BufferingTask();
    task.failFlushes = 1;
    await start(kafka, task, { topics: 'first' });
    await waitFor(() => kafka.committedOffset('first', 0) === 100, 'commit of all 100 records');
    expectCommittedStored(kafka, task, 'first', 1);
    expect(task.storedOffsets(0).size).toBe(100);
  });

  it('rewinds every assigned partition at once, idle ones included, after a good commit', async () => {
    const kafka = new FakeKafka();
    kafka.addTopic('idle', 2);
    for (const p of [0, 1]) for (let i = 0; i < 50; i++) kafka.append('idle', p, `a-${p}-${i}`);
    const task = new BufferingTask();
    await start(kafka, task, { topics: 'idle' });
    await waitFor(
      () => kafka.committedOffset('idle', 0) === 50 && kafka.committedOffset('idle', 1) === 50,
      'the first good commit',
    );
    // Both partitions get 50 more records, then stay idle; the next flush fails.
    task.failFlushes = 1;
    for (const p of [0, 1]) for (let i = 50; i < 100; i++) kafka.append('idle', p, `b-${p}-${i}`);
    await waitFor(
      () => kafka.committedOffset('idle', 0) === 100 && kafka.committedOffset('idle', 1) === 100,
      'the commit after the failed flush',
    );
    expectCommittedStored(kafka, task, 'idle', 2);
  });
});

describe('SinkTaskRunner put after a failed flush', () => {
  it('does not put records of a rewound partition that were waiting for the flush to finish', async () => {
    const kafka = new FakeKafka();
    kafka.addTopic('queued', 1);
    for (let i = 0; i < 300; i++) kafka.append('queued', 0, `r-${i}`);
    const events: string[] = [];
    const task = new BufferingTask();
    task.onPut = async (records) => {
      events.push(`put ${records[0]!.kafkaOffset}`);
      await new Promise((r) => setTimeout(r, 5));
    };
    let flushes = 0;
    task.flush = async () => {
      // The first flush is slow and fails: the next put waits for it meanwhile.
      if (flushes++ === 0) {
        await new Promise((r) => setTimeout(r, 30));
        events.push('flush failed');
        throw new Error('disk full');
      }
    };
    await start(kafka, task, { topics: 'queued', 'consumer.override.max.poll.records': '10' });
    await waitFor(
      () => events.includes('flush failed') && events.length > events.indexOf('flush failed') + 1,
      'a put after the failed flush',
    );
    const next = events[events.indexOf('flush failed') + 1];
    // The partition was rewound to its last committed offset (nothing committed yet: 0).
    expect(next).toBe('put 0');
  });
});

describe('SinkTaskRunner preCommit offsets (defect 4)', () => {
  it('ignores preCommit offsets beyond what put accepted, even when they were fetched', async () => {
    const kafka = new FakeKafka();
    kafka.addTopic('pc', 1);
    for (let i = 0; i < 200; i++) kafka.append('pc', 0, `r-${i}`);
    const task = new RecordingTask();
    let highestSeen = 0;
    let retries = 0;
    task.onPut = async (records) => {
      highestSeen = Math.max(highestSeen, records[records.length - 1]!.kafkaOffset + 1);
      // The second batch (offsets 100..199) is refused a few times: fetched, never accepted meanwhile.
      if (records[0]!.kafkaOffset === 100 && retries < 5) {
        retries++;
        task.context.timeout(40);
        throw new RetriableException('store busy');
      }
    };
    // A task that claims everything it was offered as safe (a common preCommit bug).
    (task as RecordingTask & { preCommit(o: OffsetMap): Promise<OffsetMap> }).preCommit = async (offsets) => {
      const out: OffsetMap = new Map();
      for (const [k, { tp }] of offsets) out.set(k, { tp, offset: highestSeen });
      return out;
    };
    const committedWhileRetrying: number[] = [];
    const poll = setInterval(() => {
      if (retries > 0 && retries < 5) committedWhileRetrying.push(kafka.committedOffset('pc', 0) ?? 0);
    }, 5);
    try {
      await start(kafka, task, { topics: 'pc' });
      await waitFor(() => kafka.committedOffset('pc', 0) === 200, 'the final commit');
    } finally {
      clearInterval(poll);
    }
    expect(committedWhileRetrying.length).toBeGreaterThan(0);
    expect(Math.max(...committedWhileRetrying)).toBeLessThanOrEqual(100);
  });
});
