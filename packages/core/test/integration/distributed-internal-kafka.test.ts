import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FencedWriterError, type LogRecord } from '../../src/worker/distributed/internal-kafka.js';
import { KafkaJsInternalKafka } from '../../src/worker/distributed/kafkajs/internal-kafka.js';
import { WorkerConfig } from '../../src/worker/worker-config.js';
import { kafkaBootstrap, TestKafka, uniqueName } from './distributed-cluster.js';

// The kafkajs side of distributed mode against real Kafka: internal topics, the fenced (transactional)
// config writer and the reader that must see a transaction's records as soon as the writer returns.

const logger = pino({ level: process.env['SLUICE_TEST_LOG'] ?? 'warn' });
let bootstrap: string;
const opened: KafkaJsInternalKafka[] = [];

beforeAll(async () => {
  bootstrap = await kafkaBootstrap();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((k) => k.close()));
});

function internalKafka(): KafkaJsInternalKafka {
  const k = new KafkaJsInternalKafka(
    new WorkerConfig({ 'bootstrap.servers': bootstrap }),
    uniqueName('it'),
    logger,
  );
  opened.push(k);
  return k;
}

describe('distributed mode: internal Kafka traffic', () => {
  it('creates compacted internal topics, and refuses a config topic with more than one partition', async () => {
    const name = uniqueName('dist-topics');
    const k = internalKafka();
    await k.ensureTopics([
      {
        topic: `${name}-configs`,
        property: 'config.storage.topic',
        partitions: 1,
        replicationFactor: 1,
        singlePartition: true,
      },
      {
        topic: `${name}-status`,
        property: 'status.storage.topic',
        partitions: 3,
        replicationFactor: 1,
        singlePartition: false,
      },
    ]);
    const kafka = new TestKafka(bootstrap);
    expect(await kafka.topicConfig(`${name}-configs`, 'cleanup.policy')).toBe('compact');
    expect(await kafka.topicConfig(`${name}-status`, 'cleanup.policy')).toBe('compact');

    await kafka.createTopicWithConfig(`${name}-wide`, { 'cleanup.policy': 'compact' }, 2);
    const wide = {
      topic: `${name}-wide`,
      property: 'config.storage.topic',
      partitions: 1,
      replicationFactor: 1,
      singlePartition: true,
    };
    await expect(k.ensureTopics([wide])).rejects.toThrow(/required to have a single partition.*but it has 2/);
  });

  it('fences the previous leader writer and lets readers see committed writes at once', async () => {
    const name = uniqueName('dist-fence');
    const topic = `${name}-configs`;
    const k = internalKafka();
    await k.ensureTopics([
      { topic, property: 'config.storage.topic', partitions: 1, replicationFactor: 1, singlePartition: true },
    ]);
    const seen: LogRecord[] = [];
    const log = k.openLog(topic, (records) => seen.push(...records));
    await log.start(30_000);

    const transactionalId = `connect-cluster-${name}`;
    const oldLeader = await k.fencedWriter(topic, transactionalId);
    await oldLeader.send([{ key: 'connector-a', value: Buffer.from('{"properties":{}}') }]);
    await log.readToEnd(10_000);
    expect(seen.map((r) => r.key)).toEqual(['connector-a']);

    const newLeader = await k.fencedWriter(topic, transactionalId);
    await expect(
      oldLeader.send([{ key: 'connector-zombie', value: Buffer.from('{"properties":{}}') }]),
    ).rejects.toBeInstanceOf(FencedWriterError);
    await newLeader.send([
      { key: 'task-a-0', value: Buffer.from('{"properties":{}}') },
      { key: 'commit-a', value: Buffer.from('{"tasks":1}') },
    ]);
    await log.readToEnd(10_000);
    expect(seen.map((r) => r.key)).toEqual(['connector-a', 'task-a-0', 'commit-a']);
    await oldLeader.close();
    await newLeader.close();
  });
});
