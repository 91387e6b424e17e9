import { describe, expect, it, vi } from 'vitest';
import { ConnectException, DataException, RetriableException } from '../../src/errors.js';
import { ErrorPolicy, putRouted, reportBadRecord } from '../../src/sink/error-policy.js';
import type { SinkRecord, SinkTaskContext, TaskLogger } from '../../src/sink/api.js';

function logger(): TaskLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (m: string) => void lines.push(m);
  return { lines, debug: log, info: log, warn: log, error: log };
}

const fail = () => Promise.reject(new Error('connection refused'));
const ok = () => Promise.resolve();

function policy(kind: string, maxRetries = 3) {
  const log = logger();
  return {
    log,
    p: ErrorPolicy.of(kind, { maxRetries, retryIntervalMs: 500, connectorName: 'sink-a', logger: log }),
  };
}

describe('ErrorPolicy', () => {
  it('NOOP swallows the failure, logs it and counts the retry down', async () => {
    const { p, log } = policy('noop', 10);
    await expect(p.run(fail)).resolves.toBeUndefined();
    expect(p.remainingRetries).toBe(9);
    expect(log.lines.join('\n')).toMatch(
      /Connector sink-a: write failed: connection refused\. Error policy NOOP/,
    );
  });

  it('THROW fails the task with a ConnectException that is not retriable', async () => {
    const { p } = policy('THROW');
    const error = await p.run(fail).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectException);
    expect(error).not.toBeInstanceOf(RetriableException);
  });

  it('RETRY throws RetriableException until the retries are used, then ConnectException', async () => {
    const { p } = policy('RETRY', 2);
    await expect(p.run(fail)).rejects.toBeInstanceOf(RetriableException);
    expect(p.remainingRetries).toBe(1);
    const last = await p.run(fail).catch((e: unknown) => e);
    expect(last).toBeInstanceOf(ConnectException);
    expect(last).not.toBeInstanceOf(RetriableException);
    expect((last as Error).message).toMatch(/all 2 retries used/);
  });

  it('a success resets the retry count', async () => {
    const { p, log } = policy('RETRY', 2);
    await expect(p.run(fail)).rejects.toBeInstanceOf(RetriableException);
    await p.run(ok);
    expect(p.remainingRetries).toBe(2);
    expect(log.lines.at(-1)).toMatch(/recovered/);
    await expect(p.run(fail)).rejects.toBeInstanceOf(RetriableException);
  });

  it('max.retries -1 retries without limit', async () => {
    const { p } = policy('RETRY', -1);
    for (let i = 0; i < 50; i++) await expect(p.run(fail)).rejects.toBeInstanceOf(RetriableException);
    expect(p.remainingRetries).toBe(-1);
  });

  it('RETRY does not retry a DataException', async () => {
    const { p } = policy('RETRY');
    const error = await p.run(() => Promise.reject(new DataException('bad field'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectException);
    expect(error).not.toBeInstanceOf(RetriableException);
  });

  it('sets the redelivery back-off on the task context only for RETRY', () => {
    const timeout = vi.fn();
    const context = { timeout } as unknown as SinkTaskContext;
    policy('RETRY').p.applyTo(context);
    policy('THROW').p.applyTo(context);
    expect(timeout.mock.calls).toEqual([[500]]);
  });

  it('sets the back-off again before every RETRY redelivery, not only the first', async () => {
    const timeout = vi.fn();
    const { p } = policy('RETRY', 5);
    p.applyTo({ timeout } as unknown as SinkTaskContext);
    for (let i = 0; i < 3; i++) await expect(p.run(fail)).rejects.toBeInstanceOf(RetriableException);
    expect(timeout.mock.calls).toEqual([[500], [500], [500], [500]]);
  });

  it('rejects an unknown policy name', () => {
    expect(() => policy('IGNORE')).toThrow(/Unknown error policy 'IGNORE'/);
  });
});

describe('reportBadRecord', () => {
  const record = { topic: 't' } as SinkRecord;
  it('sends to the errant record reporter when there is one', async () => {
    const report = vi.fn().mockResolvedValue(undefined);
    const context = { errantRecordReporter: () => ({ report }) } as unknown as SinkTaskContext;
    await reportBadRecord(context, record, new DataException('x'));
    expect(report).toHaveBeenCalledWith(record, expect.any(DataException));
  });
  it('rethrows when errors.tolerance is none (no reporter)', async () => {
    const context = { errantRecordReporter: () => null } as unknown as SinkTaskContext;
    await expect(reportBadRecord(context, record, new DataException('x'))).rejects.toBeInstanceOf(
      DataException,
    );
  });
});

describe('putRouted', () => {
  const rec = (topic: string, offset: number) => ({ topic, kafkaOffset: offset }) as SinkRecord;

  function setup(kind = 'THROW') {
    const reported: [number, string][] = [];
    const report = vi.fn(async (r: SinkRecord, e: Error) => void reported.push([r.kafkaOffset, e.message]));
    const context = { errantRecordReporter: () => ({ report }) } as unknown as SinkTaskContext;
    return { reported, context, p: policy(kind).p };
  }

  it('writes one item per routing statement, skips nulls, and reports bad and refused records', async () => {
    const { reported, context, p } = setup();
    const written: string[][] = [];
    await putRouted(p, context, [rec('a', 1), rec('b', 2), rec('a', 3)], {
      routes: (topic) => (topic === 'a' ? ['s1', 's2'] : ['skip']),
      prepare: (r, s) => {
        if (s === 'skip') return null;
        if (r.kafkaOffset === 3 && s === 's2') throw new DataException('bad field');
        return `${s}@${r.kafkaOffset}`;
      },
      write: async (writes) => {
        written.push(writes);
        return [{ record: rec('a', 1), error: new DataException('refused') }];
      },
    });
    expect(written).toEqual([['s1@1', 's2@1', 's1@3']]);
    expect(reported).toEqual([
      [3, 'bad field'],
      [1, 'refused'],
    ]);
  });

  it('leaves any other failure to the error policy', async () => {
    const { context, p } = setup('RETRY');
    const steps = {
      routes: () => ['s'],
      prepare: () => 'w',
      write: () => Promise.reject(new Error('connection refused')),
    };
    await expect(putRouted(p, context, [rec('a', 1)], steps)).rejects.toBeInstanceOf(RetriableException);
  });
});
