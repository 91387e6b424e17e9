import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { maskSecrets } from '@sluice/core';
import { describe, expect, it } from 'vitest';
import { mongoClientOptions } from '../src/client.js';
import { configDef, mongoSinkConfig, usesTls } from '../src/config.js';
import plugin from '../src/index.js';

const base = {
  'connect.mongo.connection': 'mongodb://127.0.0.1:27017',
  'connect.mongo.db': 'sensors',
  'connect.mongo.kcql': 'INSERT INTO readings SELECT * FROM sensor-topic',
  topics: 'sensor-topic',
};
const settings = (extra: Record<string, string> = {}) =>
  mongoSinkConfig(configDef.parse({ ...base, ...extra }));

describe('configuration', () => {
  it('has Stream Reactor defaults', () => {
    const c = settings();
    expect(c).toMatchObject({
      database: 'sensors',
      username: '',
      authMechanism: 'SCRAM-SHA-1',
      deleteOnNull: false,
      jsonDatetimeFields: [],
    });
    expect(settings({ 'connect.mongo.json_datetime_fields': 'a, b.c' }).jsonDatetimeFields).toEqual([
      ['a'],
      ['b', 'c'],
    ]);
  });

  it('names the key at fault', () => {
    expect(() => configDef.parse({ ...base, 'connect.mongo.connection': 'localhost:27017' })).toThrow(
      /connect\.mongo\.connection: must be a MongoDB URI/,
    );
    expect(() => configDef.parse({ ...base, 'connect.mongo.db': ' ' })).toThrow(
      /connect\.mongo\.db: String must be non-empty/,
    );
    expect(() => configDef.parse({ ...base, 'connect.mongo.auth.mechanism': 'MONGODB-CR' })).toThrow(
      /MONGODB-CR was removed/,
    );
    // Cross-key errors are the settings' (and so reported by config/validate on the key to fix).
    expect(() =>
      settings({ 'connect.mongo.connection': 'mongodb://h/?tls=true', 'ssl.truststore.location': '/x.jks' }),
    ).toThrow(
      /ssl\.truststore\.password: ssl\.truststore\.location is a JKS store, which needs its password/,
    );
    expect(() => settings({ 'connect.mongo.username': 'u' })).toThrow(
      /connect\.mongo\.password: SCRAM-SHA-1 needs connect\.mongo\.password for user u/,
    );
  });

  it('keeps the connection URI and passwords out of REST output', () => {
    const masked = maskSecrets({ ...base, 'connect.mongo.password': 'pw' }, configDef);
    expect(masked['connect.mongo.connection']).toBe('[hidden]');
    expect(masked['connect.mongo.password']).toBe('[hidden]');
    expect(JSON.stringify(configDef.validate({ ...base, 'connect.mongo.password': 'pw' }))).not.toMatch(
      /pw|27017/,
    );
  });
});

describe('client options', () => {
  it('builds credentials against the database, or $external for X.509', () => {
    expect(
      mongoClientOptions(settings({ 'connect.mongo.username': 'u', 'connect.mongo.password': 'p' })),
    ).toMatchObject({
      auth: { username: 'u', password: 'p' },
      authMechanism: 'SCRAM-SHA-1',
      authSource: 'sensors',
    });
    const x509 = mongoClientOptions(
      settings({ 'connect.mongo.username': 'CN=client', 'connect.mongo.auth.mechanism': 'MONGODB-X509' }),
    );
    expect(x509).toMatchObject({
      auth: { username: 'CN=client' },
      authMechanism: 'MONGODB-X509',
      authSource: '$external',
    });
    expect(mongoClientOptions(settings()).auth).toBeUndefined();
  });

  it('uses the TLS files only when the URI enables TLS, as Stream Reactor does', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mongo-tls-'));
    writeFileSync(path.join(dir, 'ca.pem'), 'CA');
    const tls = { 'ssl.truststore.location': path.join(dir, 'ca.pem'), 'ssl.truststore.type': 'PEM' };
    expect(mongoClientOptions(settings(tls)).tls).toBeUndefined();
    expect(settings({ ...tls, 'ssl.truststore.location': '/missing.pem' }).tls).toBeNull();
    const on = mongoClientOptions(
      settings({
        ...tls,
        'connect.mongo.connection': 'mongodb://h:27017/?tls=true',
        'ssl.endpoint.identification.algorithm': '',
      }),
    );
    expect(on).toMatchObject({ tls: true, ca: Buffer.from('CA'), tlsAllowInvalidHostnames: true });
    expect(usesTls('mongodb://h/?ssl=true')).toBe(true);
    expect(usesTls('mongodb+srv://cluster.example.com')).toBe(true);
    expect(usesTls('mongodb://h')).toBe(false);
  });
});

describe('plugin', () => {
  it('answers to the Stream Reactor class names', () => {
    expect(plugin.className).toBe('MongoSinkConnector');
    expect(plugin.aliases).toEqual([
      'io.lenses.streamreactor.connect.mongodb.sink.MongoSinkConnector',
      'com.datamountaineer.streamreactor.connect.mongodb.sink.MongoSinkConnector',
    ]);
  });

  it('accepts a PK on INSERT, as Stream Reactor does, with a warning that it has no effect', () => {
    const { warnings } = plugin.compileConfig({
      ...base,
      'connect.mongo.kcql': 'INSERT INTO readings SELECT * FROM sensor-topic PK id',
    });
    expect(warnings).toEqual([
      'KCQL INSERT INTO readings has PK id, which the MongoDB sink accepts for Stream Reactor compatibility but ignores: documents get their own _id. Use UPSERT to key them by PK.',
    ]);
    expect(plugin.compileConfig(base).warnings).toEqual([]);
  });

  it('reports cross-key errors at validate on the key at fault', () => {
    expect(plugin.validate!({ ...base, 'connect.mongo.username': 'u' })).toEqual({
      'connect.mongo.password': [
        'Invalid value for configuration connect.mongo.password: SCRAM-SHA-1 needs connect.mongo.password for user u.',
      ],
    });
  });

  it('validates KCQL against topics, supported clauses and UPSERT keys', () => {
    expect(plugin.validate!(base)).toEqual({});
    expect(
      plugin.validate!({ ...base, 'connect.mongo.kcql': 'INSERT INTO r SELECT * FROM sensor-topic TTL = 5' })[
        'connect.mongo.kcql'
      ]![0],
    ).toMatch(/uses TTL, which the MongoDB sink does not support/);
    expect(
      plugin.validate!({ ...base, 'connect.mongo.kcql': 'UPSERT INTO r SELECT * FROM sensor-topic' })[
        'connect.mongo.kcql'
      ]![0],
    ).toMatch(/\[r\] is set up with upsert, you need to set primary keys/);
    expect(
      plugin.validate!({
        ...base,
        'connect.mongo.kcql': 'UPSERT INTO r SELECT * FROM sensor-topic PK a.id, b.id',
      })['connect.mongo.kcql']![0],
    ).toMatch(/same leaf name \(id\)/);
  });
});
