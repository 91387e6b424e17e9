import { describe, expect, it } from 'vitest';
import { ConfigException } from '../../src/errors.js';
import { errorsConfigDef, parseErrorHandlingConfig } from '../../src/sink/errors-config.js';
import { backoffMs } from '../../src/sink/retry-with-tolerance.js';
import { checkDlqTopic, parseSubscription } from '../../src/sink/sink-task-config.js';

describe('errors.* config', () => {
  it("has Kafka Connect's defaults", () => {
    expect(parseErrorHandlingConfig({})).toEqual({
      retryTimeoutMs: 0,
      retryDelayMaxMs: 60000,
      tolerance: 'none',
      logEnable: false,
      logIncludeMessages: false,
      dlqTopic: '',
      dlqReplicationFactor: 3,
      dlqContextHeaders: false,
    });
  });

  it('parses every key', () => {
    const c = parseErrorHandlingConfig({
      'errors.retry.timeout': '-1',
      'errors.retry.delay.max.ms': '5000',
      'errors.tolerance': 'ALL',
      'errors.log.enable': 'true',
      'errors.log.include.messages': 'true',
      'errors.deadletterqueue.topic.name': ' dlq ',
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    expect(c).toMatchObject({
      retryTimeoutMs: -1,
      retryDelayMaxMs: 5000,
      tolerance: 'all',
      dlqTopic: 'dlq',
      dlqReplicationFactor: 1,
      dlqContextHeaders: true,
      logEnable: true,
      logIncludeMessages: true,
    });
  });

  it('rejects an unknown tolerance naming the key', () => {
    expect(() => parseErrorHandlingConfig({ 'errors.tolerance': 'some' })).toThrow(ConfigException);
    expect(() => parseErrorHandlingConfig({ 'errors.tolerance': 'some' })).toThrow(/errors.tolerance/);
    const result = errorsConfigDef
      .validate({ 'errors.tolerance': 'some' })
      .find((r) => r.name === 'errors.tolerance')!;
    expect(result.errors).toHaveLength(1);
  });
});

describe('retry backoff', () => {
  it('doubles from 300 ms, then is random below the maximum', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 60000))).toEqual([300, 600, 1200, 2400]);
    expect(backoffMs(5, 1000, () => 0.5)).toBe(500);
    expect(backoffMs(100, 1000, () => 0.999)).toBeLessThan(1000);
  });
});

describe('topics / topics.regex', () => {
  it('uses Kafka Connect messages for both and neither', () => {
    expect(() => parseSubscription({ topics: 'a', 'topics.regex': 'a.*' })).toThrow(
      'topics and topics.regex are mutually exclusive options, but both are set.',
    );
    expect(() => parseSubscription({})).toThrow('Must configure one of topics or topics.regex');
  });

  it('matches the regex against the whole topic name, as Java does', () => {
    const sub = parseSubscription({ 'topics.regex': 'orders|payments-.*' }) as { pattern: RegExp };
    expect(['orders', 'payments-eu'].every((t) => sub.pattern.test(t))).toBe(true);
    expect(['orders-old', 'xpayments-eu'].some((t) => sub.pattern.test(t))).toBe(false);
  });

  it('rejects a DLQ topic the connector consumes', () => {
    expect(() => checkDlqTopic(parseSubscription({ topics: 'a,dlq' }), 'dlq')).toThrow(
      "The DLQ topic 'dlq' may not be included in the list of topics ('topics=a,dlq') consumed by the connector",
    );
    expect(() => checkDlqTopic(parseSubscription({ 'topics.regex': 'd.*' }), 'dlq')).toThrow(
      "The DLQ topic 'dlq' may not be matched by the regex for the topics ('topics.regex=d.*') consumed by the connector",
    );
  });
});
