import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseListener, WorkerConfig } from '../../src/worker/worker-config.js';
import { converterSettings } from '../../src/worker/converters.js';

describe('WorkerConfig', () => {
  it('applies Kafka Connect defaults', () => {
    const c = new WorkerConfig({});
    expect(c.bootstrapServers).toEqual(['localhost:9092']);
    expect(c.offsetFlushIntervalMs).toBe(60000);
    expect(c.offsetFlushTimeoutMs).toBe(5000);
    expect(c.gracefulShutdownTimeoutMs).toBe(5000);
    expect(c.listeners).toEqual([{ protocol: 'http', host: '', port: 8083 }]);
    expect(c.headerConverterClass).toBe('org.apache.kafka.connect.storage.SimpleHeaderConverter');
    // Kafka Connect advertises the host name, never a loopback address other workers cannot reach.
    expect(c.workerId()).toBe(`${hostname()}:8083`);
    expect(c.advertisedUrl()).toBe(`http://${hostname()}:8083`);
  });

  it('advertises the host name for wildcard listeners and a bound host as it is', () => {
    expect(new WorkerConfig({ listeners: 'http://0.0.0.0:8084' }).workerId()).toBe(`${hostname()}:8084`);
    expect(new WorkerConfig({ listeners: 'http://[::]:8084' }).workerId()).toBe(`${hostname()}:8084`);
    expect(new WorkerConfig({ listeners: 'http://10.1.2.3:8084' }).workerId()).toBe('10.1.2.3:8084');
  });

  it('derives worker id and URL from rest.advertised.* and the bound port', () => {
    const c = new WorkerConfig({ listeners: 'http://127.0.0.1:0', 'rest.advertised.host.name': 'w1' });
    expect(c.workerId(40123)).toBe('w1:40123');
    expect(c.advertisedUrl(40123)).toBe('http://w1:40123');
    expect(c.clientIdPrefix(40123)).toBe('connect-w1:40123');
  });

  it('passes security and prefixed client settings through, not worker keys', () => {
    const c = new WorkerConfig({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'PLAIN',
      'consumer.max.poll.records': '100',
      'producer.acks': 'all',
      'offset.flush.interval.ms': '1000',
    });
    expect(c.clientConfig()).toEqual({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'PLAIN',
      'consumer.max.poll.records': '100',
      'producer.acks': 'all',
    });
  });

  it('names the bad key', () => {
    expect(() => new WorkerConfig({ 'offset.flush.interval.ms': 'soon' })).toThrow(
      /offset\.flush\.interval\.ms: Not a number of type LONG/,
    );
    expect(() => new WorkerConfig({ 'rest.basic.auth.user': 'u' })).toThrow(/rest\.basic\.auth\.password/);
    expect(() => parseListener('8083')).toThrow(/not a listener URL/);
  });

  it('uses the connector converter with its own settings, else the worker one with the worker settings', () => {
    const c = new WorkerConfig({ 'value.converter': 'W', 'value.converter.schemas.enable': 'false' });
    expect(converterSettings(c, {}, 'value')).toEqual({
      className: 'W',
      config: { 'schemas.enable': 'false', 'converter.type': 'value' },
      from: 'worker',
    });
    expect(converterSettings(c, { 'value.converter': 'C', 'value.converter.x': '1' }, 'value')).toEqual({
      className: 'C',
      config: { x: '1', 'converter.type': 'value' },
      from: 'connector',
    });
  });
});

describe('WorkerConfig.restClientTls (forwarding to https leaders)', () => {
  const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/tls/${f}`, import.meta.url));
  const pemCa = readFileSync(fixture('client.crt'), 'utf8');

  it('is null for a worker with http listeners and no listeners.https.ssl.* keys', () => {
    const c = new WorkerConfig({
      listeners: 'http://127.0.0.1:0',
      'ssl.truststore.location': fixture('trust.jks'),
    });
    expect(c.restClientTls()).toBeNull();
  });

  it("takes listeners.https.ssl.* all or nothing, else the worker's ssl.* keys, as Kafka Connect", () => {
    const own = new WorkerConfig({
      listeners: 'https://127.0.0.1:0',
      'listeners.https.ssl.truststore.location': fixture('client.crt'),
      'listeners.https.ssl.truststore.type': 'PEM',
      'ssl.truststore.location': fixture('trust.jks'),
    });
    expect(String(own.restClientTls()?.ca)).toContain(pemCa.trim());
    const fallback = new WorkerConfig({
      listeners: 'https://127.0.0.1:0',
      'ssl.truststore.location': fixture('trust.jks'),
      'ssl.truststore.password': 'trustpass',
      'ssl.keystore.location': fixture('client.p12'),
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.password': 'p12pass',
    });
    const tls = fallback.restClientTls()!;
    expect(tls.ca).toBeTruthy();
    expect(tls.cert ?? tls.pfx).toBeTruthy();
  });

  it('a wrong trust store password is an error naming its key', () => {
    const c = new WorkerConfig({
      listeners: 'https://127.0.0.1:0',
      'listeners.https.ssl.truststore.location': fixture('trust.jks'),
      'listeners.https.ssl.truststore.password': 'wrong',
    });
    expect(() => c.restClientTls()).toThrow(/listeners\.https\.ssl\.truststore\.password/);
  });
});
