import { ConfigException } from '@sluice/core/sink';
import { describe, expect, it } from 'vitest';
import { clientOptions } from '../src/client.js';
import { elasticSettings } from '../src/config.js';
import plugin from '../src/index.js';

const KCQL = 'INSERT INTO i SELECT * FROM t';
const settings = (props: Record<string, string>) =>
  elasticSettings(plugin.configDef.parse({ 'connect.elastic.kcql': KCQL, ...props }));

function refused(props: Record<string, string>): ConfigException {
  try {
    settings(props);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigException);
    return e as ConfigException;
  }
  throw new Error('accepted');
}

describe('configuration', () => {
  it("has Stream Reactor's defaults", () => {
    const s = settings({});
    expect(s.nodes).toEqual(['http://localhost:9300']);
    expect(s).toMatchObject({ writeTimeoutMs: 300000, batchSize: 4000, pkSeparator: '-', maxInFlight: 2 });
    expect(s.bulkMaxBytes).toBe(5 * 1024 * 1024);
    expect(s.auth).toEqual({ kind: 'none' });
  });

  it('hosts, port, protocol and tableprefix make one URL per host', () => {
    const s = settings({
      'connect.elastic.hosts': 'es1, es2',
      'connect.elastic.port': '9200',
      'connect.elastic.protocol': 'HTTPS',
      'connect.elastic.tableprefix': '/proxy/es/',
    });
    expect(s.nodes).toEqual(['https://es1:9200/proxy/es', 'https://es2:9200/proxy/es']);
  });

  it('the 5.x url (host:port list) and url.prefix are translated', () => {
    expect(settings({ 'connect.elastic.url': 'a:9200,b:9201' }).nodes).toEqual([
      'http://a:9200',
      'http://b:9201',
    ]);
    expect(
      settings({
        'connect.elastic.url': 'a:9243',
        'connect.elastic.url.prefix': 'https',
        'connect.elastic.use.http': 'http',
      }).nodes,
    ).toEqual(['https://a:9243']);
  });

  it('the TCP transport and X-Pack TCP settings are refused, naming the key and what to use', () => {
    expect(refused({ 'connect.elastic.url': 'a:9300' }).message).toMatch(/transport.*9200/);
    const tcp = refused({ 'connect.elastic.use.http': 'tcp' });
    expect(tcp.key).toBe('connect.elastic.use.http');
    expect(tcp.message).toMatch(/REST port/);
    expect(refused({ 'connect.elastic.xpack.settings': 'xpack.security.user=a:b' }).key).toBe(
      'connect.elastic.xpack.settings',
    );
    expect(refused({ 'connect.elastic.xpack.plugins': 'org.x.Plugin' }).key).toBe(
      'connect.elastic.xpack.plugins',
    );
  });

  it('basic authentication needs both halves; an API key excludes it', () => {
    expect(
      settings({ 'connect.elastic.use.http.username': 'u', 'connect.elastic.use.http.password': 'p' }).auth,
    ).toEqual({ kind: 'basic', username: 'u', password: 'p' });
    expect(refused({ 'connect.elastic.use.http.username': 'u' }).key).toBe(
      'connect.elastic.use.http.password',
    );
    expect(refused({ 'connect.elastic.api.key': 'k', 'connect.elastic.use.http.username': 'u' }).key).toBe(
      'connect.elastic.api.key',
    );
    expect(clientOptions(settings({ 'connect.elastic.api.key': 'id:secret' })).auth).toEqual({
      apiKey: Buffer.from('id:secret').toString('base64'),
    });
  });

  it('secrets are PASSWORD keys (masked in REST and logs)', () => {
    for (const key of [
      'connect.elastic.use.http.password',
      'connect.elastic.api.key',
      'connect.elastic.xpack.settings',
      'ssl.truststore.password',
      'ssl.keystore.password',
      'ssl.key.password',
    ]) {
      expect(plugin.configDef.isSecret(key), key).toBe(true);
    }
  });

  it('a JKS store needs its password (the kit reads JKS, PKCS12 and PEM stores)', () => {
    expect(refused({ 'ssl.truststore.location': '/x.jks' }).key).toBe('ssl.truststore.password');
  });

  it('validate reports a KCQL the sink cannot run on the kcql key', () => {
    expect(
      plugin.validate!({ topics: 't', 'connect.elastic.kcql': 'UPSERT INTO i SELECT * FROM t' })[
        'connect.elastic.kcql'
      ],
    ).toEqual([expect.stringMatching(/you need to set primary keys/)]);
    expect(
      plugin.validate!({ topics: 't', 'connect.elastic.kcql': 'INSERT INTO i SELECT * FROM t WITHTAG (a)' })[
        'connect.elastic.kcql'
      ],
    ).toEqual([expect.stringMatching(/WITHTAG/)]);
    expect(
      plugin.validate!({ topics: 't', 'connect.elastic.kcql': KCQL, 'connect.elastic.use.http': 'tcp' }),
    ).toHaveProperty('connect.elastic.use.http');
    expect(plugin.validate!({ topics: 't', 'connect.elastic.kcql': KCQL })).toEqual({});
  });
});
