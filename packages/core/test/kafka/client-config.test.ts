import { describe, expect, it } from 'vitest';
import { clientPropsFor, parseJaasConfig } from '../../src/kafka/client-config.js';
import {
  toKafkaJsConfig,
  toKafkaJsConsumerConfig,
  toKafkaJsProducerConfig,
} from '../../src/kafka/kafkajs/config.js';

describe('client properties per role', () => {
  it('layers worker keys, role-prefixed keys, then connector overrides', () => {
    const worker = {
      'bootstrap.servers': 'b:9092',
      'request.timeout.ms': '1000',
      'consumer.request.timeout.ms': '2000',
      'producer.acks': '1',
    };
    expect(clientPropsFor('consumer', worker, { 'max.poll.records': '50' })).toEqual({
      'bootstrap.servers': 'b:9092',
      'request.timeout.ms': '2000',
      'max.poll.records': '50',
    });
    expect(clientPropsFor('producer', worker)).toEqual({
      'bootstrap.servers': 'b:9092',
      'request.timeout.ms': '1000',
      acks: '1',
    });
  });
});

describe('sasl.jaas.config', () => {
  it('reads the login module and quoted options', () => {
    expect(
      parseJaasConfig(
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cr\\"et";',
      ),
    ).toEqual({
      loginModule: 'org.apache.kafka.common.security.scram.ScramLoginModule',
      options: { username: 'alice', password: 's3cr"et' },
    });
  });

  it('never echoes the value in its error', () => {
    expect(() => parseJaasConfig('password=hunter2')).toThrow(/value not shown/);
    try {
      parseJaasConfig('password=hunter2');
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});

describe('kafkajs mapping', () => {
  it('maps brokers, SASL_SSL with SCRAM and timeouts', () => {
    const c = toKafkaJsConfig(
      {
        'bootstrap.servers': 'SASL_SSL://k1:9093, k2:9093',
        'security.protocol': 'SASL_SSL',
        'sasl.mechanism': 'SCRAM-SHA-512',
        'sasl.jaas.config':
          'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";',
        'ssl.endpoint.identification.algorithm': '',
        'request.timeout.ms': '15000',
      },
      'cid',
    );
    expect(c.brokers).toEqual(['k1:9093', 'k2:9093']);
    expect(c.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    expect(typeof c.ssl).toBe('object');
    expect(c.requestTimeout).toBe(15000);
    expect(c.clientId).toBe('cid');
  });

  it('refuses SASL mechanisms kafkajs cannot do without a custom provider', () => {
    expect(() =>
      toKafkaJsConfig(
        {
          'security.protocol': 'SASL_PLAINTEXT',
          'sasl.mechanism': 'GSSAPI',
          'sasl.jaas.config': 'x required username="u" password="p";',
        },
        'c',
      ),
    ).toThrow(/sasl.mechanism/);
  });

  it('maps consumer fetch and group settings', () => {
    const { config, fromBeginning } = toKafkaJsConsumerConfig(
      {
        'fetch.max.bytes': '1048576',
        'max.partition.fetch.bytes': '65536',
        'session.timeout.ms': '10000',
        'auto.offset.reset': 'latest',
        'isolation.level': 'read_committed',
      },
      'connect-x',
    );
    expect(config).toMatchObject({
      groupId: 'connect-x',
      maxBytes: 1048576,
      maxBytesPerPartition: 65536,
      sessionTimeout: 10000,
      readUncommitted: false,
    });
    expect(fromBeginning).toBe(false);
    expect(toKafkaJsConsumerConfig({}, 'g').fromBeginning).toBe(true);
  });

  it("reads uncommitted by default, as Kafka Connect's sink consumers do", () => {
    expect(toKafkaJsConsumerConfig({}, 'g').config.readUncommitted).toBe(true);
    expect(toKafkaJsConsumerConfig({ 'isolation.level': 'read_committed' }, 'g').config.readUncommitted).toBe(
      false,
    );
    expect(() => toKafkaJsConsumerConfig({ 'isolation.level': 'committed' }, 'g')).toThrow(/isolation.level/);
  });

  it("waits at most the Java consumer's 500 ms for a fetch by default, so stops and rejoins are not held 5 s", () => {
    expect(toKafkaJsConsumerConfig({}, 'g').config.maxWaitTimeInMs).toBe(500);
    expect(toKafkaJsConsumerConfig({ 'fetch.max.wait.ms': '100' }, 'g').config.maxWaitTimeInMs).toBe(100);
  });

  it('maps producer acks', () => {
    expect(toKafkaJsProducerConfig({}).acks).toBe(-1);
    expect(toKafkaJsProducerConfig({ acks: '1' }).acks).toBe(1);
    expect(() => toKafkaJsProducerConfig({ acks: '2' })).toThrow(/acks/);
  });
});
