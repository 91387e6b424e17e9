import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

// The keys, their defaults and the cross-key rules, as config/validate and start see them.

const base = {
  name: 'influx',
  'connector.class': 'InfluxSinkConnector',
  topics: 'sensors',
  'connect.influx.url': 'http://influx:8086',
  'connect.influx.kcql': 'INSERT INTO m SELECT * FROM sensors',
};

describe('configuration', () => {
  it('1.x: db with the Stream Reactor defaults (retention policy autogen, consistency ALL, THROW)', () => {
    const { settings, parsed } = plugin.compileConfig({
      ...base,
      'connect.influx.db': 'metrics',
      'connect.influx.username': 'u',
      'connect.influx.password': 'p',
    });
    expect(settings.target).toEqual({
      api: 'v1',
      database: 'metrics',
      retentionPolicy: 'autogen',
      username: 'u',
      password: 'p',
      consistency: 'ALL',
    });
    expect(parsed['connect.influx.error.policy']).toBe('THROW');
    expect(parsed['connect.influx.max.retries']).toBe(20);
    expect(parsed['connect.influx.retry.interval']).toBe(60000);
  });

  it('writes without gzip by default; a threshold turns it on', () => {
    const db = { ...base, 'connect.influx.db': 'metrics' };
    expect(plugin.compileConfig(db).settings.gzipThreshold).toBeUndefined();
    expect(
      plugin.compileConfig({ ...db, 'connect.influx.gzip.threshold': '1000' }).settings.gzipThreshold,
    ).toBe(1000);
  });

  it('2.x: org, bucket and token', () => {
    const { settings } = plugin.compileConfig({
      ...base,
      'connect.influx.org': 'o',
      'connect.influx.bucket': 'b',
      'connect.influx.token': 't',
    });
    expect(settings.target).toEqual({ api: 'v2', org: 'o', bucket: 'b', token: 't' });
  });

  it('a config mixing the 1.x and 2.x keys is refused at validate, naming the keys', () => {
    const errors = plugin.validate({
      ...base,
      'connect.influx.db': 'metrics',
      'connect.influx.retention.policy': 'rp',
      'connect.influx.bucket': 'b',
    });
    expect(Object.keys(errors)).toEqual(['connect.influx.db']);
    expect(errors['connect.influx.db']![0]).toMatch(
      /1\.x keys \(connect\.influx\.db, connect\.influx\.retention\.policy\) and the 2\.x keys \(connect\.influx\.bucket\) cannot be mixed/,
    );
  });

  it('neither db nor the 2.x keys, or 2.x without a bucket, is refused on the missing key', () => {
    expect(plugin.validate(base)).toEqual({
      'connect.influx.db': [expect.stringMatching(/connect\.influx\.db is required/)],
    });
    expect(plugin.validate({ ...base, 'connect.influx.org': 'o', 'connect.influx.token': 't' })).toEqual({
      'connect.influx.bucket': [
        expect.stringMatching(/connect\.influx\.bucket is required when the InfluxDB 2\.x keys are used/),
      ],
    });
  });

  it('an invalid consistency level or URL is refused on its key', () => {
    const results = plugin.configDef.validate({
      ...base,
      'connect.influx.db': 'm',
      'connect.influx.consistency.level': 'SOME',
      'connect.influx.url': 'influx:8086',
    });
    const errors = Object.fromEntries(
      results.filter((r) => r.errors.length > 0).map((r) => [r.name, r.errors]),
    );
    expect(Object.keys(errors).sort()).toEqual(['connect.influx.consistency.level', 'connect.influx.url']);
  });

  it('password and token are secrets', () => {
    expect(plugin.configDef.isSecret('connect.influx.password')).toBe(true);
    expect(plugin.configDef.isSecret('connect.influx.token')).toBe(true);
  });

  it('KCQL the sink cannot honour is refused at validate, naming the clause', () => {
    const errors = plugin.validate({
      ...base,
      'connect.influx.db': 'm',
      'connect.influx.kcql': 'UPSERT INTO m SELECT * FROM sensors PK a',
    });
    expect(errors['connect.influx.kcql']![0]).toMatch(/UPSERT, PK, which the InfluxDB sink does not support/);
    const unit = plugin.validate({
      ...base,
      'connect.influx.db': 'm',
      'connect.influx.kcql': 'INSERT INTO m SELECT * FROM sensors WITHTIMESTAMP t TIMESTAMPUNIT = DAYS',
    });
    expect(unit['connect.influx.kcql']![0]).toMatch(/TIMESTAMPUNIT = DAYS has no InfluxDB write precision/);
  });

  it('answers to the Stream Reactor class names', () => {
    expect(plugin.aliases).toEqual([
      'io.lenses.streamreactor.connect.influx.InfluxSinkConnector',
      'com.datamountaineer.streamreactor.connect.influx.InfluxSinkConnector',
    ]);
  });
});
