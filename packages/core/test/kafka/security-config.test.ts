import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clientPropsFor, overridePolicyViolations } from '../../src/kafka/client-config.js';
import { explainConnectError, KafkaSecurityException } from '../../src/kafka/connect-errors.js';
import { kafkaTlsOptions, toKafkaJsConfig } from '../../src/kafka/kafkajs/config.js';

const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/tls/${f}`, import.meta.url));

describe("Kafka's prefix rules for security settings", () => {
  const worker = {
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'PLAIN',
    'sasl.jaas.config': 'worker-jaas',
    'producer.sasl.jaas.config': 'producer-jaas',
    'admin.security.protocol': 'SSL',
  };
  it('worker keys apply to every client; consumer./producer./admin. keys to that client only', () => {
    expect(clientPropsFor('consumer', worker)['sasl.jaas.config']).toBe('worker-jaas');
    expect(clientPropsFor('producer', worker)['sasl.jaas.config']).toBe('producer-jaas');
    expect(clientPropsFor('admin', worker)['security.protocol']).toBe('SSL');
    expect(clientPropsFor('consumer', worker)['security.protocol']).toBe('SASL_SSL');
  });
  it("a connector's overrides come last", () => {
    expect(clientPropsFor('producer', worker, { 'sasl.jaas.config': 'conn-jaas' })['sasl.jaas.config']).toBe(
      'conn-jaas',
    );
  });
});

describe('connector.client.config.override.policy', () => {
  const config = {
    'consumer.override.sasl.jaas.config': 'x',
    'producer.override.acks': '1',
    topics: 't',
  };
  it('All allows every override; None none; Principal only who the connector connects as', () => {
    expect(overridePolicyViolations('All', config)).toEqual([]);
    expect(overridePolicyViolations('None', config).map((v) => v.key)).toEqual([
      'consumer.override.sasl.jaas.config',
      'producer.override.acks',
    ]);
    const principal = overridePolicyViolations('Principal', config);
    expect(principal.map((v) => v.key)).toEqual(['producer.override.acks']);
    expect(principal[0]!.message).toMatch(/'Principal' policy does not allow 'acks'/);
  });
});

describe('ssl.* keys to TLS options (one store reader)', () => {
  it('reads a JKS trust store (Kafka default type) and a PKCS12 key store', () => {
    const tls = kafkaTlsOptions({
      'ssl.truststore.location': fixture('trust.jks'),
      'ssl.truststore.password': 'trustpass',
      'ssl.keystore.location': fixture('client.p12'),
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.password': 'p12pass',
    });
    expect(Array.isArray(tls.ca) && String(tls.ca[0])).toMatch(/BEGIN CERTIFICATE/);
    expect(tls.pfx).toHaveLength(1);
  });
  it('reads a JKS key store and a PEM file given without its type', () => {
    const tls = kafkaTlsOptions({
      'ssl.truststore.location': fixture('client.crt'),
      'ssl.keystore.location': fixture('client.jks'),
      'ssl.keystore.password': 'jkspass',
    });
    expect(String(tls.ca)).toMatch(/BEGIN CERTIFICATE/);
    expect(String(tls.key)).toMatch(/PRIVATE KEY/);
  });
  it('takes inline PEM certificates and keys', () => {
    const tls = kafkaTlsOptions({
      'ssl.truststore.certificates': '-----BEGIN CERTIFICATE-----x',
      'ssl.keystore.certificate.chain': 'chain',
      'ssl.keystore.key': 'key',
    });
    expect(tls).toMatchObject({ ca: '-----BEGIN CERTIFICATE-----x', cert: 'chain', key: 'key' });
  });
  it('a wrong store password is an error naming the password key', () => {
    expect(() =>
      kafkaTlsOptions({ 'ssl.truststore.location': fixture('trust.jks'), 'ssl.truststore.password': 'nope' }),
    ).toThrow(/ssl\.truststore\.password/);
    expect(() =>
      kafkaTlsOptions({
        'ssl.keystore.location': fixture('client.p12'),
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.password': 'nope',
      }),
    ).toThrow(/ssl\.keystore\.password/);
    expect(() => kafkaTlsOptions({ 'ssl.truststore.location': fixture('trust.jks') })).toThrow(
      /ssl\.truststore\.password.*needs its password/,
    );
  });
  it('empty ssl.endpoint.identification.algorithm skips the host name check; others are refused', () => {
    expect(kafkaTlsOptions({ 'ssl.endpoint.identification.algorithm': '' }).checkServerIdentity).toBeTypeOf(
      'function',
    );
    expect(kafkaTlsOptions({ 'ssl.endpoint.identification.algorithm': 'https' }).checkServerIdentity).toBe(
      undefined,
    );
    expect(() => kafkaTlsOptions({ 'ssl.endpoint.identification.algorithm': 'ldap' })).toThrow(
      /ssl.endpoint.identification.algorithm/,
    );
  });
  it('OAUTHBEARER is refused with a clear message', () => {
    expect(() =>
      toKafkaJsConfig({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'OAUTHBEARER' }, 'c'),
    ).toThrow(/OAUTHBEARER is not supported/);
  });
});

describe('connection failures caused by security settings', () => {
  const props = {
    'bootstrap.servers': 'k:9094',
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.jaas.config': 'x required username="alice" password="hunter2";',
  };
  const explain = (message: string, p: Record<string, string> = props) => {
    const outer = new Error('Connection error');
    (outer as unknown as { originalError: Error }).originalError = new Error(message);
    return explainConnectError(outer, p);
  };
  it('wrong credentials name the user and the key, not the password', () => {
    const e = explain('SASL SCRAM SHA512 authentication failed: invalid credentials') as Error;
    expect(e).toBeInstanceOf(KafkaSecurityException);
    expect(e.message).toMatch(/user 'alice'.*sasl\.jaas\.config/);
    expect(e.message).not.toContain('hunter2');
    expect(e.stack).not.toMatch(/\n\s+at /);
  });
  it('an untrusted broker certificate names the trust store', () => {
    expect((explain('self-signed certificate in certificate chain') as Error).message).toMatch(
      /not trusted.*ssl\.truststore\.location/,
    );
  });
  it('a refused or missing client certificate names the key store', () => {
    const ssl = { 'bootstrap.servers': 'k:9095', 'security.protocol': 'SSL' };
    expect((explain('sslv3 alert bad certificate', ssl) as Error).message).toMatch(
      /requires a client certificate.*none was given.*ssl\.keystore\.location/,
    );
  });
  it('other failures pass through unchanged', () => {
    const other = new Error('ECONNREFUSED');
    expect(explainConnectError(other, props)).toBe(other);
  });
});

describe('PKCS12 trust stores', () => {
  it('are read as CA certificates (node cannot take a key-less PKCS12 as pfx)', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/sluice-p12-`);
    const out = `${dir}/trust.p12`;
    // As Kafka users make them: keytool's PKCS12 trust store of one trusted certificate.
    execFileSync('keytool', [
      '-importcert',
      '-noprompt',
      '-alias',
      'ca',
      '-file',
      fixture('client.crt'),
      '-keystore',
      out,
      '-storetype',
      'PKCS12',
      '-storepass',
      'trustp12',
    ]);
    const tls = kafkaTlsOptions({
      'ssl.truststore.location': out,
      'ssl.truststore.type': 'PKCS12',
      'ssl.truststore.password': 'trustp12',
    });
    expect(String((tls.ca as string[])[0])).toMatch(/BEGIN CERTIFICATE/);
    expect(() =>
      kafkaTlsOptions({
        'ssl.truststore.location': out,
        'ssl.truststore.type': 'PKCS12',
        'ssl.truststore.password': 'nope',
      }),
    ).toThrow(/ssl\.truststore\.password.*PKCS12/);
  });
});

describe('sasl.jaas.config login modules', () => {
  const props = (mechanism: string, module: string) => ({
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': mechanism,
    'sasl.jaas.config': `org.apache.kafka.common.security.${module} required username="u" password="hunter2";`,
  });
  it("take Kafka's module of the mechanism", () => {
    expect(toKafkaJsConfig(props('PLAIN', 'plain.PlainLoginModule'), 'c').sasl).toEqual({
      mechanism: 'plain',
      username: 'u',
      password: 'hunter2',
    });
    expect(toKafkaJsConfig(props('SCRAM-SHA-256', 'scram.ScramLoginModule'), 'c').sasl).toMatchObject({
      mechanism: 'scram-sha-256',
    });
  });
  it('refuse a module of another mechanism, without showing the value', () => {
    expect(() => toKafkaJsConfig(props('SCRAM-SHA-512', 'plain.PlainLoginModule'), 'c')).toThrow(
      /sasl.mechanism=SCRAM-SHA-512 takes Kafka's ScramLoginModule/,
    );
    const refused = (() => {
      try {
        toKafkaJsConfig(props('PLAIN', 'scram.ScramLoginModule'), 'c');
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    })();
    expect(refused).toMatch(/takes Kafka's PlainLoginModule/);
    expect(refused).not.toContain('hunter2');
  });
});
