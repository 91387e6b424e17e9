import { parseKcqlList } from '@sluice/kcql';
import { describe, expect, it } from 'vitest';
import { ConfigDef } from '../../src/config/def.js';
import { ConfigException } from '../../src/errors.js';
import {
  checkKcqlClauses,
  defineStreamReactorKeys,
  kcqlClausesUsed,
  streamReactorSettings,
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
