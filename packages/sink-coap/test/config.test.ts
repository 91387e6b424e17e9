import { maskSecrets } from '@sluice/core';
import { ConfigException } from '@sluice/core/sink';
import { describe, expect, it } from 'vitest';
import { coapSinkConfig, parseServerUri } from '../src/config.js';
import plugin from '../src/index.js';

const configDef = plugin.configDef;

const base = {
  'connect.coap.kcql': 'INSERT INTO sensors SELECT * FROM readings',
  topics: 'readings',
};
const settings = (extra: Record<string, string> = {}) => {
  const props = { ...base, ...extra };
  return coapSinkConfig(configDef.parse(props), props);
};

describe('configuration', () => {
  it('has the Stream Reactor keys and defaults', () => {
    const keys = configDef.configKeys();
    expect(keys.get('connect.coap.uri')?.default).toBe('localhost');
    expect(keys.get('connect.coap.host')?.default).toBe('localhost');
    expect(keys.get('connect.coap.port')?.default).toBe(0);
    expect(keys.get('connect.coap.truststore.pass')?.default).toBe('rootPass');
    expect(keys.get('connect.coap.keystore.pass')?.default).toBe('rootPass');
    expect(keys.get('connect.coap.cert.chain.key')?.default).toBe('client');
    expect(keys.get('connect.coap.error.policy')?.default).toBe('THROW');
    expect(keys.get('connect.coap.max.retries')?.default).toBe(20);
    expect(keys.get('connect.coap.retry.interval')?.default).toBe(60000);
    for (const secret of [
      'connect.coap.password',
      'connect.coap.truststore.pass',
      'connect.coap.keystore.pass',
    ])
      expect(keys.get(secret)?.type).toBe('PASSWORD');
    expect(settings()).toMatchObject({
      server: { secure: false, host: 'localhost', port: 5683, basePath: [] },
      bind: undefined,
      psk: undefined,
      method: 'PUT',
      confirmable: true,
      maxInFlight: 8,
      blockSize: 1024,
      deleteOnStop: [],
      tombstones: 'fail',
    });
  });

  it('reads server URIs the way CoAP defines their ports', () => {
    expect(parseServerUri('coap://10.0.0.1')).toEqual({
      secure: false,
      host: '10.0.0.1',
      port: 5683,
      basePath: [],
    });
    expect(parseServerUri('coaps://gw.example:6000/api/v1')).toEqual({
      secure: true,
      host: 'gw.example',
      port: 6000,
      basePath: ['api', 'v1'],
    });
    expect(parseServerUri('coap://[::1]:5683').host).toBe('::1');
    expect(() => parseServerUri('http://x')).toThrow(/use coap:\/\/ \(UDP\) or coaps:\/\/ \(DTLS\)/);
    expect(() => parseServerUri('coap+tcp://x')).toThrow(/CoAP over TCP/);
    expect(() => parseServerUri('discoverIP4')).toThrow(/multicast server discovery\) is not supported/);
    expect(() => configDef.parse({ ...base, 'connect.coap.uri': 'coap://h/r?x=1' })).toThrow(
      /connect\.coap\.uri: .*query/,
    );
  });

  it('binds a chosen port on every address for a remote server when the host is the default', () => {
    expect(settings({ 'connect.coap.uri': 'coap://10.1.2.3', 'connect.coap.port': '40000' }).bind).toEqual({
      host: '0.0.0.0',
      port: 40000,
    });
    expect(settings({ 'connect.coap.uri': 'coap://127.0.0.1', 'connect.coap.port': '40000' }).bind).toEqual({
      host: 'localhost',
      port: 40000,
    });
  });

  it('accepts the older bind.host / bind.port names', () => {
    expect(
      settings({ 'connect.coap.bind.host': '127.0.0.1', 'connect.coap.bind.port': '40000' }).bind,
    ).toEqual({
      host: '127.0.0.1',
      port: 40000,
    });
  });

  it('needs a pre-shared key for coaps:// and refuses one for coap://', () => {
    const coaps = { 'connect.coap.uri': 'coaps://127.0.0.1' };
    expect(() => settings(coaps)).toThrow(ConfigException);
    expect(() => settings(coaps)).toThrow(/connect\.coap\.username \(PSK identity\)/);
    expect(
      settings({ ...coaps, 'connect.coap.username': 'sluice', 'connect.coap.password': 's3cret' }).psk,
    ).toEqual({ identity: 'sluice', secret: 's3cret' });
    expect(() => settings({ 'connect.coap.username': 'u', 'connect.coap.password': 'p' })).toThrow(
      /the URI is not coaps:\/\//,
    );
  });

  it.each([
    ['connect.coap.truststore.path', '/etc/truststore.jks'],
    ['connect.coap.keystore.path', '/etc/keystore.jks'],
    ['connect.coap.public.key.file', '/etc/public.pem'],
    ['connect.coap.private.key.file', '/etc/private.pem'],
    ['connect.coap.certs', 'root,intermediate'],
  ])('refuses the DTLS certificate key %s with the reason', (key, value) => {
    expect(() => configDef.parse({ ...base, [key]: value })).toThrow(
      new RegExp(`${key.replace(/\./g, '\\.')}: DTLS with certificates or raw public keys is not supported`),
    );
  });

  it('reports config errors at validate, on the key at fault', () => {
    expect(plugin.validate!({ ...base, 'connect.coap.uri': 'coaps://127.0.0.1' })).toEqual({
      'connect.coap.username': [expect.stringMatching(/needs a pre-shared key/)],
    });
    expect(
      plugin.validate!({ ...base, 'connect.coap.kcql': 'UPSERT INTO a SELECT * FROM readings PK id' }),
    ).toEqual({
      'connect.coap.kcql': [expect.stringMatching(/uses UPSERT, PK, which the CoAP sink does not support/)],
    });
    expect(
      plugin.validate!({ ...base, 'connect.coap.kcql': 'INSERT INTO a//b SELECT * FROM readings' }),
    ).toEqual({
      'connect.coap.kcql': [expect.stringMatching(/not a CoAP resource path: it has an empty segment/)],
    });
    expect(plugin.validate!(base)).toEqual({});
  });

  it('lists the static resources to delete on stop only when asked', () => {
    const kcql = 'INSERT INTO a/b SELECT * FROM readings; INSERT INTO _key SELECT * FROM other';
    expect(settings({ 'connect.coap.kcql': kcql, topics: 'readings,other' }).deleteOnStop).toEqual([]);
    expect(
      settings({ 'connect.coap.kcql': kcql, topics: 'readings,other', 'connect.coap.delete.on.stop': 'true' })
        .deleteOnStop,
    ).toEqual([['a', 'b']]);
  });

  it('reads the tombstone behaviour', () => {
    expect(settings({ 'connect.coap.behavior.on.null.values': 'delete' }).tombstones).toBe('delete');
    expect(settings({ 'connect.coap.behavior.on.null.values': 'IGNORE' }).tombstones).toBe('ignore');
    expect(() => configDef.parse({ ...base, 'connect.coap.behavior.on.null.values': 'drop' })).toThrow(
      /behavior\.on\.null\.values/,
    );
  });

  it('masks the PSK secret', () => {
    expect(maskSecrets({ 'connect.coap.password': 'p' }, configDef)['connect.coap.password']).toBe(
      '[hidden]',
    );
  });

  it('checks method, block size and in-flight limits', () => {
    expect(settings({ 'connect.coap.method': 'post' }).method).toBe('POST');
    expect(() => configDef.parse({ ...base, 'connect.coap.method': 'PATCH' })).toThrow(
      /connect\.coap\.method/,
    );
    expect(() => configDef.parse({ ...base, 'connect.coap.block.size': '1000' })).toThrow(
      /connect\.coap\.block\.size: .*16, 32, 64, 128, 256, 512, 1024/,
    );
    expect(() => configDef.parse({ ...base, 'connect.coap.max.in.flight': '0' })).toThrow(/max\.in\.flight/);
  });
});
