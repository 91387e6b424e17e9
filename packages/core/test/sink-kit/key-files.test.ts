import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ConfigDef,
  ConfigException,
  defineSslKeys,
  readKeyFile,
  sslSettings,
  tlsOptions,
} from '../../src/sink-kit/index.js';

// Fixtures: a self-signed client certificate and key as PEM, PKCS12 (password p12pass) and JKS
// (password jkspass), and a JKS trust store holding the certificate (password trustpass), made with
// openssl and keytool.
const dir = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const def = defineSslKeys(new ConfigDef());
const settings = (props: Record<string, string>) => sslSettings(def.parse(props));

function configError(run: () => unknown): ConfigException {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigException) return e;
    throw e;
  }
  throw new Error('expected a ConfigException');
}

describe('readKeyFile', () => {
  it('names the key when the file cannot be read', () => {
    const e = configError(() => readKeyFile('/nonexistent/ca.pem', 'connect.x.ssl.ca.cert'));
    expect(e.key).toBe('connect.x.ssl.ca.cert');
    expect(e.message).toMatch(/connect.x.ssl.ca.cert: cannot read \/nonexistent\/ca.pem/);
  });
});

describe('TLS key groups', () => {
  it('defines the Kafka ssl.* keys, JKS by default', () => {
    const keys = def.configKeys();
    expect(keys.get('ssl.keystore.type')?.default).toBe('JKS');
    expect(keys.get('ssl.truststore.password')?.type).toBe('PASSWORD');
  });

  it('a JKS key store and trust store become PEM certificate, key and CA', () => {
    const options = tlsOptions(
      settings({
        'ssl.keystore.location': `${dir}client.jks`,
        'ssl.keystore.password': 'jkspass',
        'ssl.truststore.location': `${dir}trust.jks`,
        'ssl.truststore.password': 'trustpass',
      }),
    );
    expect(String(options.cert)).toMatch(/BEGIN CERTIFICATE/);
    expect(String(options.key)).toMatch(/PRIVATE KEY/);
    expect((options.ca as string[])[0]).toMatch(/BEGIN CERTIFICATE/);
  });

  it('a PKCS12 key store goes to node as pfx', () => {
    const options = tlsOptions(
      settings({
        'ssl.keystore.location': `${dir}client.p12`,
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.password': 'p12pass',
      }),
    );
    expect(options.pfx).toHaveLength(1);
  });

  it('a PEM key store gives certificate and key', () => {
    const options = tlsOptions(
      settings({ 'ssl.keystore.location': `${dir}client.pem`, 'ssl.keystore.type': 'PEM' }),
    );
    expect(String(options.cert)).toMatch(/BEGIN CERTIFICATE/);
  });

  it.each([
    ['JKS', 'client.jks', 'ssl.keystore.password'],
    ['PKCS12', 'client.p12', 'ssl.keystore.password'],
  ])('a wrong %s password is an error naming the password key', (type, file, key) => {
    const e = configError(() =>
      tlsOptions(
        settings({
          'ssl.keystore.location': `${dir}${file}`,
          'ssl.keystore.type': type,
          'ssl.keystore.password': 'wrong',
        }),
      ),
    );
    expect(e.key).toBe(key);
  });

  it('a wrong JKS trust store password names the trust store password key', () => {
    const e = configError(() =>
      tlsOptions(
        settings({ 'ssl.truststore.location': `${dir}trust.jks`, 'ssl.truststore.password': 'wrong' }),
      ),
    );
    expect(e.key).toBe('ssl.truststore.password');
  });

  it('a JKS store without its password is a cross-key error on the password key', () => {
    const e = configError(() => settings({ 'ssl.keystore.location': `${dir}client.jks` }));
    expect(e.key).toBe('ssl.keystore.password');
  });
});
