import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { LogRecord, TopicLog } from '../../../src/worker/distributed/internal-kafka.js';
import { RestartingTopicLog } from '../../../src/worker/distributed/restarting-topic-log.js';
import { waitFor } from './herder-cluster.js';

/** A reader the test drives: it hands records over and crashes when told to. */
class FakeReader implements TopicLog {
  started = 0;
  stopped = false;
  failStart: Error | null = null;
  constructor(
    readonly emit: (records: readonly LogRecord[]) => void,
    readonly crash: (error: Error) => void,
  ) {}
  async start() {
    this.started++;
    if (this.failStart) throw this.failStart;
  }
  async readToEnd() {}
  async stop() {
    this.stopped = true;
  }
}

const rec = (offset: number): LogRecord => ({ key: `k${offset}`, value: null, partition: 0, offset });

function setup(failFirstRestarts = 0) {
  const readers: FakeReader[] = [];
  const received: number[] = [];
  let failures = failFirstRestarts;
  const log = new RestartingTopicLog(
    (onRecords, onCrash) => {
      const r = new FakeReader(onRecords, onCrash);
      if (readers.length > 0 && failures-- > 0) r.failStart = new Error('broker unreachable');
      readers.push(r);
      return r;
    },
    (records) => received.push(...records.map((r) => r.offset)),
    'connect-configs',
    pino({ level: 'silent' }),
    { initialMs: 10, maxMs: 40 },
  );
  return { log, readers, received };
}

describe('RestartingTopicLog (issue 16, point 7)', () => {
  it('restarts a crashed reader after a back-off, unhealthy meanwhile, without handing records over twice', async () => {
    const { log, readers, received } = setup();
    await log.start(1000);
    readers[0]!.emit([rec(0), rec(1)]);
    readers[0]!.crash(new Error('The group coordinator is not available'));
    expect(log.healthy()).toBe(false);
    expect(log.problem()).toMatch(
      /reader of internal topic connect-configs stopped \(The group coordinator is not available\)/,
    );
    await expect(log.readToEnd(1000)).rejects.toThrow(/connect-configs/);

    await waitFor(() => log.healthy(), 'the reader to be restarted', 2000);
    expect(readers).toHaveLength(2);
    expect(readers[0]!.stopped).toBe(true);
    expect(readers[1]!.started).toBe(1);
    // The new reader replays from the beginning: only what was not handed over yet goes on.
    readers[1]!.emit([rec(0), rec(1), rec(2)]);
    expect(received).toEqual([0, 1, 2]);
    await log.stop();
  });

  it('keeps retrying while the reader cannot be restarted', async () => {
    const { log, readers } = setup(2);
    await log.start(1000);
    readers[0]!.crash(new Error('crashed'));
    await waitFor(() => log.healthy(), 'the reader to be restarted at last', 2000);
    expect(readers).toHaveLength(4);
    expect(readers.slice(1, 3).every((r) => r.started === 1 && r.failStart !== null)).toBe(true);
    await log.stop();
  });

  it('is not restarted once stopped', async () => {
    const { log, readers } = setup();
    await log.start(1000);
    await log.stop();
    readers[0]!.crash(new Error('crashed after stop'));
    await new Promise((r) => setTimeout(r, 50));
    expect(readers).toHaveLength(1);
    expect(log.healthy()).toBe(true);
  });
});
