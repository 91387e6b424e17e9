import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { isRetriable, retryRetriable } from '../../../src/worker/distributed/kafkajs/retry-retriable.js';

const logger = pino({ level: 'silent' });
// kafkajs builds protocol errors from the broker's error code: 6 NOT_LEADER_FOR_PARTITION, 5 LEADER_NOT_AVAILABLE.
// Its typings declare the argument as an Error; at run time the constructor reads type, code and retriable.
const protocolError = (fields: { type: string; code: number; retriable: boolean; message: string }) =>
  new KafkaJSProtocolError(fields as unknown as Error);
const notLeader = () =>
  protocolError({
    type: 'NOT_LEADER_FOR_PARTITION',
    code: 6,
    retriable: true,
    message: 'This server is not the leader for that topic-partition',
  });
const fatal = () =>
  protocolError({
    type: 'TOPIC_AUTHORIZATION_FAILED',
    code: 29,
    retriable: false,
    message: 'Not authorized to access topics',
  });

describe('retryRetriable (issue 16, point 4)', () => {
  it('retries a just-created topic whose leader is not elected yet, refreshing metadata between tries', async () => {
    let calls = 0;
    let refreshed = 0;
    const ends = await retryRetriable(
      async () => {
        if (++calls < 3) throw notLeader();
        return [{ partition: 0, high: '0' }];
      },
      {
        what: 'end offsets',
        timeoutMs: 5000,
        logger,
        initialBackoffMs: 1,
        beforeRetry: async () => void refreshed++,
      },
    );
    expect(ends).toEqual([{ partition: 0, high: '0' }]);
    expect(calls).toBe(3);
    expect(refreshed).toBe(2);
  });

  it('sees retriable errors wrapped by kafkajs retrier and fails at once on the others', async () => {
    expect(
      isRetriable(new KafkaJSNumberOfRetriesExceeded(notLeader(), { retryCount: 5, retryTime: 100 })),
    ).toBe(true);
    let calls = 0;
    await expect(
      retryRetriable(
        async () => {
          calls++;
          throw fatal();
        },
        { what: 'x', timeoutMs: 5000, logger, initialBackoffMs: 1 },
      ),
    ).rejects.toThrow(/Not authorized/);
    expect(calls).toBe(1);
  });

  it('gives up with the last error once the deadline is near', async () => {
    let calls = 0;
    await expect(
      retryRetriable(
        async () => {
          calls++;
          throw notLeader();
        },
        { what: 'x', timeoutMs: 50, logger, initialBackoffMs: 10, maxBackoffMs: 10 },
      ),
    ).rejects.toThrow(/not the leader/);
    expect(calls).toBeGreaterThan(1);
  });
});
