import { fileURLToPath } from 'node:url';
import { ConfigException } from '@sluice/core/sink';
import { describe, expect, it } from 'vitest';
import { settings } from './records.js';

// TLS settings from both generations' keys, read by the kit (the core's test fixtures: a self-signed
// client certificate as PEM, PKCS12 (p12pass) and JKS (jkspass), a JKS trust store (trustpass)).
const dir = fileURLToPath(new URL('../../core/test/fixtures/tls/', import.meta.url));

function configError(run: () => unknown): ConfigException {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigException) return e;
    throw e;
  }
  throw new Error('expected a ConfigException');
}

describe('TLS', () => {
  it('is off unless ssl.enabled', () => {
    expect(settings({ 'connect.cassandra.ssl.truststore.path': `${dir}trust.jks` }).tls).toBeUndefined();
  });

  it('4B keys: stores told apart by their content (JKS trust store, PKCS12 key store)', () => {
    const tls = settings({
      'connect.cassandra.ssl.enabled': 'true',
      'connect.cassandra.ssl.truststore.path': `${dir}trust.jks`,
      'connect.cassandra.ssl.truststore.password': 'trustpass',
      'connect.cassandra.ssl.keystore.path': `${dir}client.p12`,
      'connect.cassandra.ssl.keystore.password': 'p12pass',
      'connect.cassandra.ssl.hostname.verification': 'false',
    }).tls!;
    expect(String((tls.secure.ca as string[])[0])).toMatch(/BEGIN CERTIFICATE/);
    expect(tls.secure.pfx).toBeDefined();
    expect(tls.checkHostname).toBe(false);
  });

  it('legacy keys: a JKS key store and PEM files for the client key', () => {
    const jks = settings({
      'connect.cassandra.ssl.enabled': 'true',
      'connect.cassandra.key.store.path': `${dir}client.jks`,
      'connect.cassandra.key.store.password': 'jkspass',
    }).tls!;
    expect(String(jks.secure.key)).toMatch(/PRIVATE KEY/);
    const pem = settings({
      'connect.cassandra.ssl.enabled': 'true',
      'connect.cassandra.ssl.openssl.key.cert.chain': `${dir}client.crt`,
      'connect.cassandra.ssl.openssl.private.key': `${dir}client.key`,
    }).tls!;
    expect(String(pem.secure.cert)).toMatch(/BEGIN CERTIFICATE/);
    expect(String(pem.secure.key)).toMatch(/PRIVATE KEY/);
  });

  it('a wrong password or an unreadable file is an error on the key the user wrote', () => {
    const wrong = configError(() =>
      settings({
        'connect.cassandra.ssl.enabled': 'true',
        'connect.cassandra.trust.store.path': `${dir}trust.jks`,
        'connect.cassandra.trust.store.password': 'wrong',
      }),
    );
    expect(wrong.key).toBe('connect.cassandra.trust.store.password');
    const missing = configError(() =>
      settings({
        'connect.cassandra.ssl.enabled': 'true',
        'connect.cassandra.ssl.truststore.path': '/nonexistent.jks',
      }),
    );
    expect(missing.key).toBe('connect.cassandra.ssl.truststore.path');
    const notAKey = configError(() =>
      settings({
        'connect.cassandra.ssl.enabled': 'true',
        'connect.cassandra.ssl.openssl.key.cert.chain': `${dir}client.crt`,
        'connect.cassandra.ssl.openssl.private.key': `${dir}client.crt`,
      }),
    );
    expect(notAKey.key).toBe('connect.cassandra.ssl.openssl.private.key');
  });
});
