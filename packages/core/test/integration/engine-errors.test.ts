import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../../src/sink/runner-types.js';
import { RecordingTask } from '../sink/harness.js';
import {
  committedOffsets,
  createTopic,
  produce,
  startRunner,
  uniqueName,
  useEngineKafka,
  waitUntil,
} from './engine-kafka.js';

const engine = useEngineKafka();

const POISON = new Set([37, 142, 143, 250]);

async function poisonedTopic(topic: string): Promise<void> {
  await createTopic(engine.bootstrap, topic, 1);
  await produce(
    engine.bootstrap,
    Array.from({ length: 300 }, (_, i) => ({
      topic,
      partition: 0,
      key: Buffer.from(`key-${i}`),
      value: Buffer.from(POISON.has(i) ? `poison-${i}` : `value-${i}`),
      headers: [{ key: 'origin', value: Buffer.from(`h-${i}`) }],
      timestamp: 1_700_000_000_000 + i,
    })),
  );
}

async function readDlq(topic: string, count: number) {
  const kafka = new Kafka({
    brokers: [engine.bootstrap],
    clientId: 'engine-it-dlq-reader',
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: uniqueName('dlq-reader') });
  const out: { key: string; value: string; timestamp: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      out.push({
        key: message.key!.toString(),
        value: message.value!.toString(),
        timestamp: message.timestamp,
        headers,
      });
    },
  });
  try {
    await waitUntil(() => out.length >= count, `${count} DLQ records`);
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Delivered count, duplicates, missing offsets, puts and runner state: what a timed-out wait needs to say. */
function deliveryState(task: RecordingTask, runner: { status(): TaskStatus }): string {
  const offsets = task.delivered.map((r) => r.kafkaOffset);
  const distinct = new Set(offsets);
  const missing = Array.from({ length: 300 }, (_, i) => i).filter((i) => !POISON.has(i) && !distinct.has(i));
  const status = runner.status();
  return JSON.stringify({
    delivered: offsets.length,
    distinct: distinct.size,
    missing: missing.length > 20 ? `${missing.length} offsets from ${missing[0]}` : missing,
    puts: task.puts.map((p) => `${p[0]?.kafkaOffset}..${p.at(-1)?.kafkaOffset}`),
    calls: task.calls,
    state: status.state,
    trace: status.trace?.slice(0, 500),
  });
}

describe('sink engine against real Kafka: errors', () => {
  it('errors.tolerance=all: poison records go to the DLQ with original bytes and context headers, the rest arrive', async () => {
    const topic = uniqueName('engine-poison');
    const dlq = uniqueName('engine-dlq');
    const connector = uniqueName('tolerant-sink');
    await poisonedTopic(topic);
    const task = new RecordingTask();
    const { runner, started } = startRunner(engine.bootstrap, connector, task, {
      topics: topic,
      'errors.tolerance': 'all',
      'errors.log.enable': 'true',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.topic.replication.factor': '1',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    engine.running.push(runner);
    await started;
    const good = Array.from({ length: 300 }, (_, i) => i).filter((i) => !POISON.has(i));
    await waitUntil(
      () => new Set(task.delivered.map((r) => r.kafkaOffset)).size === good.length,
      '296 good records',
      60_000,
      () => deliveryState(task, runner),
    );
    const offsets = task.delivered.map((r) => r.kafkaOffset);
    // Nothing lost, no poison record put, in order of first delivery.
    expect([...new Set(offsets)]).toEqual(good);
    // Delivery is at least once: a record comes twice only when the partition was assigned again (a
    // consumer restart or a rebalance on a loaded machine), and then from the last commit on.
    if (offsets.length !== good.length) {
      expect(task.calls.filter((c) => c === 'open').length, deliveryState(task, runner)).toBeGreaterThan(1);
    }
    await waitUntil(
      async () => (await committedOffsets(engine.bootstrap, `connect-${connector}`, topic)).get(0) === 300,
      'commit past the poison records',
    );
    expect(runner.status().state).toBe('RUNNING');

    const dead = await readDlq(dlq, 4);
    expect(dead.map((d) => d.value)).toEqual(['poison-37', 'poison-142', 'poison-143', 'poison-250']);
    const first = dead[0]!;
    expect(first.key).toBe('key-37');
    expect(first.timestamp).toBe(String(1_700_000_000_037));
    expect(first.headers).toMatchObject({
      origin: 'h-37',
      '__connect.errors.topic': topic,
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '37',
      '__connect.errors.connector.name': connector,
      '__connect.errors.task.id': '0',
      '__connect.errors.stage': 'VALUE_CONVERTER',
      '__connect.errors.class.name': 'TestStringConverter',
      '__connect.errors.exception.class.name': 'org.apache.kafka.connect.errors.DataException',
    });
    expect(first.headers['__connect.errors.exception.message']).toContain("'poison-37' is not valid");
    expect(first.headers['__connect.errors.exception.stacktrace']).toContain('DataException');
  });

  it('errors.tolerance=none: the task FAILS naming the record and the committed offset stops before the poison record', async () => {
    const topic = uniqueName('engine-strict');
    const connector = uniqueName('strict-sink');
    await poisonedTopic(topic);
    const task = new RecordingTask();
    const statuses: TaskStatus[] = [];
    const { runner, started } = startRunner(
      engine.bootstrap,
      connector,
      task,
      { topics: topic, 'consumer.override.max.poll.records': '10' },
      statuses,
    );
    engine.running.push(runner);
    await started;
    await waitUntil(() => runner.status().state === 'FAILED', 'FAILED');
    await waitUntil(() => task.calls.includes('stop'), 'the task stopped');
    const trace = runner.status().trace!;
    expect(trace).toContain(
      `task ${connector}-0 could not convert the record at topic '${topic}' partition 0 offset 37`,
    );
    expect(trace).toContain("'poison-37' is not valid");
    // As in Kafka Connect, the chunk holding the poison record (offsets 30..39) is not put at all.
    expect(task.delivered.map((r) => r.kafkaOffset)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect((await committedOffsets(engine.bootstrap, `connect-${connector}`, topic)).get(0)).toBe(30);
  });
});
