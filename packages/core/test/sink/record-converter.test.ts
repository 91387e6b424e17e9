import { describe, expect, it } from 'vitest';
import type { Converter } from '../../src/convert/api.js';
import { JsonConverter, SimpleHeaderConverter, StringConverter } from '../../src/convert/index.js';
import { DataException, RetriableException } from '../../src/errors.js';
import type { FetchedMessage } from '../../src/kafka/port.js';
import { parseErrorHandlingConfig } from '../../src/sink/errors-config.js';
import { RecordConverter } from '../../src/sink/record-converter.js';
import { RetryWithTolerance, StageFailure } from '../../src/sink/retry-with-tolerance.js';

// The record converter calls the key and value converters directly and hands the operator a retry only
// once an attempt failed or went asynchronous: each of those paths must end as `execute` would.

const message: FetchedMessage = {
  offset: 42,
  timestamp: 1_700_000_000_000,
  timestampType: 'CreateTime',
  key: Buffer.from('k1'),
  value: Buffer.from('{"id": 7, "name": "pump"}'),
  headers: [],
};

function stringConverter(): StringConverter {
  const c = new StringConverter();
  c.configure({}, true);
  return c;
}

function jsonConverter(): JsonConverter {
  const c = new JsonConverter();
  c.configure({ 'schemas.enable': 'false' }, false);
  return c;
}

function converter(
  value: Converter,
  errors: Record<string, string> = {},
  key: Converter = stringConverter(),
): RecordConverter {
  const operator = new RetryWithTolerance(
    parseErrorHandlingConfig(errors),
    [],
    { recordsFailed: () => undefined },
    new AbortController().signal,
  );
  return new RecordConverter(key, value, new SimpleHeaderConverter(), operator);
}

/** A value converter that fails `failures` times with `error`, then reads the bytes as a string. */
function flaky(failures: number, error: () => Error, async = false): Converter & { calls: number } {
  const inner = stringConverter();
  const c = {
    calls: 0,
    configure: () => undefined,
    fromConnectData: () => null,
    toConnectData(topic: string, bytes: Buffer | null) {
      c.calls++;
      if (c.calls <= failures) {
        if (async) return Promise.reject(error());
        throw error();
      }
      const result = inner.toConnectData(topic, bytes);
      return async ? Promise.resolve(result) : result;
    },
  };
  return c;
}

describe('RecordConverter', () => {
  it('converts synchronously into a SinkRecord', () => {
    const record = converter(jsonConverter()).convert('pumps', 3, message);
    expect(record).not.toBeInstanceOf(Promise);
    expect(record).toMatchObject({
      topic: 'pumps',
      kafkaPartition: 3,
      kafkaOffset: 42,
      key: 'k1',
      valueSchema: null,
      value: new Map<string, unknown>([
        ['id', 7n],
        ['name', 'pump'],
      ]),
      timestamp: 1_700_000_000_000,
      timestampType: 'CreateTime',
      headers: [],
    });
  });

  it('a value that fails for good is a StageFailure of the value stage, thrown synchronously', () => {
    const bad = { ...message, value: Buffer.from('{"id": ') };
    let thrown: unknown;
    try {
      // Throws before anything could be returned: a synchronous converter needs no promise.
      void converter(jsonConverter()).convert('pumps', 0, bad);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(StageFailure);
    expect((thrown as StageFailure).stage).toBe('VALUE_CONVERTER');
    expect((thrown as StageFailure).executingClass).toBe('JsonConverter');
    expect((thrown as StageFailure).error).toBeInstanceOf(DataException);
  });

  it('a key that fails for good is a StageFailure of the key stage', () => {
    const key = flaky(1, () => new DataException('bad key'));
    expect(() => converter(stringConverter(), {}, key).convert('pumps', 0, message)).toThrow(
      expect.objectContaining({ stage: 'KEY_CONVERTER' }),
    );
  });

  it('a retriable failure is retried with the same bytes until it converts (errors.retry.timeout)', async () => {
    const value = flaky(1, () => new RetriableException('registry unavailable'));
    const record = converter(value, { 'errors.retry.timeout': '10000' }).convert('pumps', 0, message);
    expect(record).toBeInstanceOf(Promise);
    await expect(record).resolves.toMatchObject({ value: '{"id": 7, "name": "pump"}' });
    expect(value.calls).toBe(2);
  });

  it('without a retry timeout a retriable failure fails the stage at once', () => {
    const value = flaky(1, () => new RetriableException('registry unavailable'));
    expect(() => converter(value).convert('pumps', 0, message)).toThrow(StageFailure);
    expect(value.calls).toBe(1);
  });

  it('an asynchronous converter gives a promise; its rejection is a StageFailure of its stage', async () => {
    const ok = converter(flaky(0, () => new Error('unused'), true)).convert('pumps', 0, message);
    await expect(ok).resolves.toMatchObject({ kafkaOffset: 42, value: '{"id": 7, "name": "pump"}' });

    const failing = converter(flaky(1, () => new DataException('no such schema id'), true)).convert(
      'pumps',
      0,
      message,
    );
    await expect(failing).rejects.toMatchObject({ stage: 'VALUE_CONVERTER' });
  });

  it('an asynchronous retriable rejection is retried', async () => {
    const value = flaky(1, () => new RetriableException('registry unavailable'), true);
    const record = converter(value, { 'errors.retry.timeout': '10000' }).convert('pumps', 0, message);
    await expect(record).resolves.toMatchObject({ value: '{"id": 7, "name": "pump"}' });
    expect(value.calls).toBe(2);
  });
});
