import pino from 'pino';
import { afterEach, beforeAll } from 'vitest';
import { ensureServices } from '@sluice/test-infra';
import { KafkaJsClientFactory } from '../../src/kafka/index.js';
import type { ProducedRecord } from '../../src/kafka/port.js';
import type { SinkTask } from '../../src/sink/api.js';
import { SinkTaskRunner } from '../../src/sink/runner.js';
import type { SinkTaskRunnerOptions, TaskStatus } from '../../src/sink/runner-types.js';
import { countingMetrics, TestHeaderConverter, TestStringConverter } from '../sink/harness.js';
import type { SinkRunnerHandle } from './engine-types.js';

// Real Kafka from test-infra for the engine's integration tests; every test uses its own topics and group.

export async function kafkaBootstrap(): Promise<string> {
  const { kafka } = await ensureServices(['kafka']);
  return String(kafka!['bootstrapServers'] ?? kafka!['connection']);
}

export interface EngineKafka {
  /** Set before the first test runs. */
  bootstrap: string;
  /** Runners a test started: each is stopped after the test, whatever its outcome. */
  readonly running: SinkRunnerHandle[];
}

/** The hooks every engine test file needs; call it at the top level of the file. */
export function useEngineKafka(): EngineKafka {
  const kafka: EngineKafka = { bootstrap: '', running: [] };
  beforeAll(async () => {
    kafka.bootstrap = await kafkaBootstrap();
  });
  afterEach(async () => {
    await Promise.all(kafka.running.splice(0).map((r) => r.stop()));
  });
  return kafka;
}

export const quietLogger = pino({ level: process.env['SLUICE_TEST_LOG'] ?? 'warn' });

export { uniqueName } from '@sluice/test-utils';

export function clients(bootstrap: string): KafkaJsClientFactory {
  return new KafkaJsClientFactory({ 'bootstrap.servers': bootstrap }, quietLogger);
}

export async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = clients(bootstrap).admin({ clientId: 'engine-it-admin' });
  await admin.connect();
  try {
    await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
  } finally {
    await admin.disconnect();
  }
}

export async function produce(bootstrap: string, records: ProducedRecord[]): Promise<void> {
  const producer = clients(bootstrap).producer({ clientId: 'engine-it-producer' });
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 500) await producer.send(records.slice(i, i + 500));
  } finally {
    await producer.disconnect();
  }
}

export async function committedOffsets(
  bootstrap: string,
  group: string,
  topic: string,
): Promise<Map<number, number>> {
  const admin = clients(bootstrap).admin({ clientId: 'engine-it-admin' });
  await admin.connect();
  try {
    const offsets = await admin.fetchGroupOffsets(group, [topic]);
    return new Map(offsets.map((o) => [o.partition, o.offset]));
  } finally {
    await admin.disconnect();
  }
}

export function startRunner(
  bootstrap: string,
  connectorName: string,
  task: SinkTask,
  config: Record<string, string>,
  statuses: TaskStatus[] = [],
  logger: pino.Logger = quietLogger,
  worker: Partial<SinkTaskRunnerOptions['worker']> = {},
): { runner: SinkTaskRunner; started: Promise<void> } {
  const runner = new SinkTaskRunner({
    connectorName,
    taskId: 0,
    taskConfig: { name: connectorName, ...config },
    worker: {
      bootstrapServers: [bootstrap],
      clientConfig: { 'consumer.session.timeout.ms': '10000', 'consumer.heartbeat.interval.ms': '1000' },
      offsetFlushIntervalMs: 500,
      offsetFlushTimeoutMs: 5000,
      gracefulShutdownTimeoutMs: 10000,
      ...worker,
    },
    task,
    keyConverter: new TestStringConverter(),
    valueConverter: new TestStringConverter(),
    headerConverter: new TestHeaderConverter(),
    logger,
    metrics: countingMetrics(),
    onStatus: (s) => statuses.push(s),
  });
  return { runner, started: runner.start() };
}

export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
  /** What the state was when the wait timed out, so a failure says more than "timed out". */
  detail?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) {
      const state = detail ? `; state: ${detail()}` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${state}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
