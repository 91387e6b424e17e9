import { parseKcqlList } from '@sluice/kcql';
import { describe, expect, it } from 'vitest';
import { ConfigDef, Password } from '../../src/config/def.js';
import type { SinkTaskContext } from '../../src/sink/api.js';
import { ConfigException } from '../../src/errors.js';
import {
  checkKcqlClauses,
  defineStreamReactorKeys,
  kcqlClausesUsed,
  secretValue,
  streamReactorSettings,
  streamReactorTaskTools,
  validateKcql,
} from '../../src/sink/stream-reactor-config.js';

describe('defineStreamReactorKeys', () => {
  const def = defineStreamReactorKeys(new ConfigDef(), 'connect.x');

  it('has the reference defaults', () => {
    const parsed = def.parse({ 'connect.x.kcql': 'INSERT INTO a SELECT * FROM b' });
    expect(streamReactorSettings(parsed, 'connect.x')).toEqual({
      kcqlKey: 'connect.x.kcql',
      errorPolicy: 'THROW',
      maxRetries: 20,
      retryIntervalMs: 60000,
      progressEnabled: false,
    });
  });

  it('accepts the policy in any case and rejects unknown ones naming the key', () => {
    const parsed = def.parse({
      'connect.x.kcql': 'k',
      'connect.x.error.policy': 'retry',
      'connect.x.max.retries': '-1',
    });
    expect(streamReactorSettings(parsed, 'connect.x')).toMatchObject({
      errorPolicy: 'RETRY',
      maxRetries: -1,
    });
    expect(() => def.parse({ 'connect.x.kcql': 'k', 'connect.x.error.policy': 'skip' })).toThrow(
      /connect\.x\.error\.policy: String must be one of: NOOP, THROW, RETRY/,
    );
    expect(() => def.parse({})).toThrow(/connect\.x\.kcql/);
  });
});

describe('checkKcqlClauses', () => {
  it('lists the clauses a statement uses', () => {
    const [s] = parseKcqlList(
      'UPSERT INTO t SELECT a, _key.k FROM src IGNORE b PK a BATCH = 10 WITHTAG (x) TTL = 5',
    );
    expect(kcqlClausesUsed(s!)).toEqual(['UPSERT', 'IGNORE', 'PK', 'SELECT _key', 'BATCH', 'TTL', 'WITHTAG']);
  });

  it('rejects a clause the sink does not honour, naming statement, clause and what is supported', () => {
    const statements = parseKcqlList('INSERT INTO t SELECT * FROM a; INSERT INTO t SELECT * FROM b TTL = 3');
    expect(() => checkKcqlClauses(statements, ['INSERT'], 'connect.x.kcql', 'the X sink')).toThrow(
      ConfigException,
    );
    expect(() => checkKcqlClauses(statements, ['INSERT'], 'connect.x.kcql', 'the X sink')).toThrow(
      /statement 2 \(FROM b\) uses TTL, which the X sink does not support \(it supports INSERT\)\. Remove the clause\./,
    );
    expect(() =>
      checkKcqlClauses(statements, ['INSERT', 'TTL'], 'connect.x.kcql', 'the X sink'),
    ).not.toThrow();
  });

  it('rejects a SELECT-only statement', () => {
    const statements = parseKcqlList('SELECT * FROM a');
    expect(() => checkKcqlClauses(statements, ['INSERT'], 'k', 'the X sink')).toThrow(
      /has no INSERT INTO \/ UPSERT INTO target/,
    );
  });
});

describe('validateKcql', () => {
  it('returns per-key messages instead of throwing', () => {
    const ok = validateKcql(
      { topics: 'a', 'connect.x.kcql': 'INSERT INTO t SELECT * FROM a' },
      'connect.x.kcql',
      ['INSERT'],
      'X',
    );
    expect(ok).toEqual({});
    const bad = validateKcql(
      { topics: 'b', 'connect.x.kcql': 'INSERT INTO t SELECT * FROM a' },
      'connect.x.kcql',
      ['INSERT'],
      'X',
    );
    expect(Object.keys(bad)).toEqual(['connect.x.kcql']);
    expect(bad['connect.x.kcql']![0]).toMatch(/topics without a KCQL statement: b/);
  });
});

describe('streamReactorTaskTools', () => {
  const def = defineStreamReactorKeys(new ConfigDef(), 'connect.x');
  const contextRecording = () => {
    const timeouts: number[] = [];
    const noop = () => undefined;
    const context = {
      connectorName: 'x-sink',
      taskId: 0,
      timeout: (ms: number) => timeouts.push(ms),
      logger: { debug: noop, info: noop, warn: noop, error: noop },
    } as unknown as SinkTaskContext;
    return { context, timeouts };
  };

  it('applies the RETRY interval to the task context and has no progress counter unless enabled', () => {
    const { context, timeouts } = contextRecording();
    const parsed = def.parse({
      'connect.x.kcql': 'k',
      'connect.x.error.policy': 'RETRY',
      'connect.x.retry.interval': '750',
    });
    const tools = streamReactorTaskTools(parsed, 'connect.x', context);
    expect(timeouts).toEqual([750]);
    expect(tools.progress).toBeNull();
  });

  it('creates the progress counter when connect.progress.enabled is true', () => {
    const { context } = contextRecording();
    const parsed = def.parse({ 'connect.x.kcql': 'k', 'connect.progress.enabled': 'true' });
    expect(streamReactorTaskTools(parsed, 'connect.x', context).progress).not.toBeNull();
  });
});

describe('secretValue', () => {
  it('reveals a Password, keeps plain strings and maps unset to the empty string', () => {
    expect(secretValue(new Password('s3cret'))).toBe('s3cret');
    expect(secretValue('plain')).toBe('plain');
    expect(secretValue(null)).toBe('');
    expect(secretValue(undefined)).toBe('');
  });
});
