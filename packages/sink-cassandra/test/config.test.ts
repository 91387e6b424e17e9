import { ConfigException } from '@sluice/core/sink';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { settings } from './records.js';

const kcql = 'INSERT INTO ks.orders SELECT id, amount FROM orders';
const validate = (extra: Record<string, string>) =>
  plugin.validate!({ topics: 'orders', 'connect.cassandra.kcql': kcql, ...extra });

describe('configuration', () => {
  it('has the 4B defaults', () => {
    const s = settings();
    expect(s).toMatchObject({
      contactPoints: ['localhost'],
      port: 9042,
      localDc: '',
      poolSize: 2,
      queryTimeoutMs: 20000,
      consistency: 'LOCAL_ONE',
      maxConcurrent: 100,
      maxBatchSize: 64,
      ignoreErrors: 'none',
      deletesEnabled: true,
      nullToUnset: true,
    });
    expect(s.credentials).toBeUndefined();
    expect(s.tls).toBeUndefined();
  });

  it('maps the 4A legacy keys onto the same settings', () => {
    const s = settings({
      'connect.cassandra.contact.points': 'a, b:9043',
      'connect.cassandra.key.space': 'shop',
      'connect.cassandra.username': 'u',
      'connect.cassandra.password': 'p',
      'connect.cassandra.consistency.level': 'quorum',
      'connect.cassandra.read.timeout.ms': '3000',
      'connect.cassandra.threadpool.size': '8',
      'connect.cassandra.default.value': 'NULL',
      'connect.cassandra.delete.enabled': 'true',
      'connect.cassandra.delete.statement': 'DELETE FROM orders WHERE id = ?',
      'connect.cassandra.delete.struct_flds': 'id',
    });
    expect(s).toMatchObject({
      contactPoints: ['a', 'b:9043'],
      keySpace: 'shop',
      credentials: { username: 'u', password: 'p' },
      consistency: 'QUORUM',
      queryTimeoutMs: 3000,
      maxConcurrent: 8,
      nullToUnset: false,
      deletesEnabled: true,
      legacyDelete: { statement: 'DELETE FROM orders WHERE id = ?', keyFields: [['id']] },
    });
  });

  it('lets a 4B key win over its legacy synonym', () => {
    const s = settings({
      'connect.cassandra.username': 'old',
      'connect.cassandra.auth.username': 'new',
      'connect.cassandra.auth.password': 'secret',
      'connect.cassandra.read.timeout.ms': '3000',
      'connect.cassandra.query.timeout.ms': '7000',
      'connect.cassandra.threadpool.size': '8',
      'connect.cassandra.max.concurrent.requests': '16',
    });
    expect(s.credentials).toEqual({ username: 'new', password: 'secret' });
    expect(s.queryTimeoutMs).toBe(7000);
    expect(s.maxConcurrent).toBe(16);
  });

  it('marks every password key secret', () => {
    for (const key of [
      'connect.cassandra.password',
      'connect.cassandra.auth.password',
      'connect.cassandra.ssl.truststore.password',
      'connect.cassandra.ssl.keystore.password',
      'connect.cassandra.trust.store.password',
      'connect.cassandra.key.store.password',
    ])
      expect(plugin.configDef.isSecret(key), key).toBe(true);
  });

  it('refuses keys that mean nothing to the Node.js driver, naming each and why', () => {
    expect(validate({ 'connect.cassandra.driver.advanced.metrics': 'x' })).toEqual({
      'connect.cassandra.driver.advanced.metrics': [expect.stringMatching(/Java driver/)],
    });
    expect(() => settings({ 'connect.cassandra.compression': 'lz4' })).toThrow(
      /connect.cassandra.compression.*does not compress/,
    );
    expect(() => settings({ 'connect.cassandra.auth.provider': 'GSSAPI' })).toThrow(/Kerberos/);
    expect(() => settings({ 'connect.cassandra.load.balancing.policy': 'LATENCY_AWARE' })).toThrow(
      /latency-aware/,
    );
    expect(() => settings({ 'connect.cassandra.consistency.level': 'MOST' })).toThrow(ConfigException);
    expect(() => settings({ 'connect.cassandra.ignore.errors.mode': 'some' })).toThrow(/none, all, driver/);
  });

  it('validate reports KCQL errors on the KCQL key and accepts a good config', () => {
    expect(validate({})).toEqual({});
    expect(
      plugin.validate!({
        topics: 'orders',
        'connect.cassandra.kcql': 'INSERT INTO orders SELECT * FROM orders',
      }),
    ).toEqual({ 'connect.cassandra.kcql': [expect.stringMatching(/names no keyspace.*key\.space/)] });
    expect(
      plugin.validate!({
        topics: 'orders',
        'connect.cassandra.kcql': 'INSERT INTO ks.t SELECT * FROM orders IGNORE a',
      }),
    ).toEqual({ 'connect.cassandra.kcql': [expect.stringMatching(/IGNORE/)] });
  });

  it('answers to both Stream Reactor class names', () => {
    expect(plugin.aliases).toContain('io.lenses.streamreactor.connect.cassandra.CassandraSinkConnector');
    expect(plugin.aliases).toContain('io.lenses.streamreactor.connect.cassandra.sink.CassandraSinkConnector');
  });
});
