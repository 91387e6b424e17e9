import { CompressionTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { RetriableException } from '../../src/errors.js';
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

function records(topic: string, partitions: number, perPartition: number) {
  return Array.from({ length: partitions * perPartition }, (_, i) => ({
    topic,
    partition: i % partitions,
    key: Buffer.from(`key-${i}`),
    value: Buffer.from(`value-${i}`),
  }));
}

/** Runs `use` with a connected transactional kafkajs producer, disconnected afterwards. */
async function withTransactionalProducer(use: (producer: Producer) => Promise<void>): Promise<void> {
  const producer = new Kafka({ brokers: [engine.bootstrap], logLevel: logLevel.NOTHING }).producer({
    transactionalId: uniqueName('engine-tx-producer'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    await use(producer);
  } finally {
    await producer.disconnect();
  }
}

describe('sink engine against real Kafka: delivery', () => {
  it('delivers records in order per partition and commits offsets only after put resolved', async () => {
    const topic = uniqueName('engine-order');
    const connector = uniqueName('order-sink');
    await createTopic(engine.bootstrap, topic, 3);
    await produce(engine.bootstrap, records(topic, 3, 400));

    const task = new RecordingTask();
    const committedAtPut: Map<number, number>[] = [];
    task.onPut = async (batch) => {
      // What Kafka holds while this put is still running must not cover any record of it.
      if (committedAtPut.length < 5) {
        const committed = await committedOffsets(engine.bootstrap, `connect-${connector}`, topic);
        committedAtPut.push(committed);
        for (const r of batch)
          expect(committed.get(r.kafkaPartition) ?? -1).toBeLessThanOrEqual(r.kafkaOffset);
      }
    };
    const { runner, started } = startRunner(engine.bootstrap, connector, task, { topics: topic });
    engine.running.push(runner);
    await started;
    expect(runner.status().state).toBe('RUNNING');

    await waitUntil(() => task.delivered.length === 1200, 'all 1200 records');
    for (let p = 0; p < 3; p++) {
      const got = task.delivered.filter((r) => r.kafkaPartition === p);
      expect(got.map((r) => r.kafkaOffset)).toEqual(Array.from({ length: 400 }, (_, i) => i));
      expect(got.map((r) => r.value)).toEqual(Array.from({ length: 400 }, (_, i) => `value-${i * 3 + p}`));
      expect(got[0]!.timestamp).toBeTypeOf('number');
      expect(got[0]!.timestampType).toBe('CreateTime');
    }
    expect(committedAtPut.length).toBeGreaterThan(0);
    await waitUntil(async () => {
      const c = await committedOffsets(engine.bootstrap, `connect-${connector}`, topic);
      return [0, 1, 2].every((p) => c.get(p) === 400);
    }, 'commits of every partition');
  });

  it('redelivers after RetriableException N times and then delivers everything in order', async () => {
    const topic = uniqueName('engine-retry');
    const connector = uniqueName('retry-sink');
    await createTopic(engine.bootstrap, topic, 1);
    await produce(engine.bootstrap, records(topic, 1, 300));

    const task = new RecordingTask();
    let failures = 0;
    task.onPut = async (batch) => {
      if (failures < 4 && batch.some((r) => r.kafkaOffset === 150)) {
        failures++;
        task.context.timeout(100);
        throw new RetriableException('store is down');
      }
    };
    const { runner, started } = startRunner(engine.bootstrap, connector, task, {
      topics: topic,
      'consumer.override.max.poll.records': '100',
    });
    engine.running.push(runner);
    await started;
    await waitUntil(() => task.delivered.length === 300, 'all 300 records');
    expect(failures).toBe(4);
    expect(task.delivered.map((r) => r.kafkaOffset)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // The failing batch was handed over five times, identical each time.
    const attempts = task.puts.filter((p) => p.some((r) => r.kafkaOffset === 150));
    expect(attempts).toHaveLength(5);
    for (const a of attempts)
      expect(a.map((r) => r.kafkaOffset)).toEqual(attempts[0]!.map((r) => r.kafkaOffset));
    await waitUntil(
      async () => (await committedOffsets(engine.bootstrap, `connect-${connector}`, topic)).get(0) === 300,
      'commit',
    );
  });

  it('resumes from the committed offset after a restart', async () => {
    const topic = uniqueName('engine-restart');
    const connector = uniqueName('restart-sink');
    await createTopic(engine.bootstrap, topic, 1);
    await produce(engine.bootstrap, records(topic, 1, 100));
    const first = new RecordingTask();
    const a = startRunner(engine.bootstrap, connector, first, { topics: topic });
    await a.started;
    await waitUntil(() => first.delivered.length === 100, 'first 100');
    await a.runner.stop();
    expect((await committedOffsets(engine.bootstrap, `connect-${connector}`, topic)).get(0)).toBe(100);

    await produce(engine.bootstrap, records(topic, 1, 50));
    const second = new RecordingTask();
    const b = startRunner(engine.bootstrap, connector, second, { topics: topic });
    engine.running.push(b.runner);
    await b.started;
    await waitUntil(() => second.delivered.length === 50, 'the 50 new records');
    expect(second.delivered[0]!.kafkaOffset).toBe(100);
  });

  it('follows a topic written in transactions: commit markers alone in a fetch do not stall a partition', async () => {
    const topic = uniqueName('engine-tx');
    const connector = uniqueName('tx-sink');
    await createTopic(engine.bootstrap, topic, 1);
    const task = new RecordingTask();
    // read_uncommitted: records are fetched as soon as they are written, their commit marker later.
    const { runner, started } = startRunner(engine.bootstrap, connector, task, {
      topics: topic,
      'consumer.override.isolation.level': 'read_uncommitted',
    });
    engine.running.push(runner);
    await started;

    // One small transaction at a time while the task is caught up: each commit marker comes after
    // the records it closes, often in a fetch of its own, which kafkajs steps over without a batch.
    await withTransactionalProducer(async (producer) => {
      for (let t = 0; t < 6; t++) {
        const tx = await producer.transaction();
        await tx.send({ topic, messages: [0, 1, 2].map((i) => ({ value: `tx${t}-${i}` })) });
        await tx.commit();
        await waitUntil(() => task.delivered.length === (t + 1) * 3, `the records of transaction ${t}`);
      }
    });
    expect(task.delivered.map((r) => r.value)).toEqual(
      Array.from({ length: 18 }, (_, i) => `tx${Math.floor(i / 3)}-${i % 3}`),
    );
  });

  it('reads uncommitted by default as Kafka Connect does; read_committed skips aborted transactions', async () => {
    const topic = uniqueName('engine-aborted');
    await createTopic(engine.bootstrap, topic, 1);
    await withTransactionalProducer(async (producer) => {
      for (const [name, outcome] of [
        ['a', 'commit'],
        ['b', 'abort'],
        ['c', 'commit'],
      ] as const) {
        const tx = await producer.transaction();
        await tx.send({ topic, messages: [0, 1].map((i) => ({ value: `${name}${i}` })) });
        await (outcome === 'commit' ? tx.commit() : tx.abort());
      }
    });
    const uncommitted = new RecordingTask();
    const committed = new RecordingTask();
    for (const [task, config] of [
      [uncommitted, { topics: topic }],
      [committed, { topics: topic, 'consumer.override.isolation.level': 'read_committed' }],
    ] as const) {
      const { runner, started } = startRunner(engine.bootstrap, uniqueName('aborted-sink'), task, config);
      engine.running.push(runner);
      await started;
    }
    await waitUntil(() => uncommitted.delivered.length === 6, 'every record, aborted ones included');
    await waitUntil(() => committed.delivered.length === 4, 'the committed records');
    expect(uncommitted.delivered.map((r) => r.value)).toEqual(['a0', 'a1', 'b0', 'b1', 'c0', 'c1']);
    expect(committed.delivered.map((r) => r.value)).toEqual(['a0', 'a1', 'c0', 'c1']);
  });

  it("the consumer thread decodes record batches with sluice's decoder: plain and gzip batches, headers, null values", async () => {
    const topic = uniqueName('engine-decode');
    const connector = uniqueName('decode-sink');
    await createTopic(engine.bootstrap, topic, 1);
    const producer = new Kafka({ brokers: [engine.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const message = (i: number) => ({
      key: i % 10 === 0 ? null : `key-${i}`,
      value: i % 7 === 0 ? null : `value-${i}`,
      headers: { trace: `t${i}`, twice: ['a', 'b'] },
    });
    try {
      // Three produce requests, three record batches: plain, gzip, plain.
      const batches = [CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.None];
      for (const [b, compression] of batches.entries()) {
        const messages = Array.from({ length: 200 }, (_, i) => message(b * 200 + i));
        await producer.send({ topic, compression, messages });
      }
    } finally {
      await producer.disconnect();
    }
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const task = new RecordingTask();
    const { runner, started } = startRunner(engine.bootstrap, connector, task, { topics: topic }, [], logger);
    engine.running.push(runner);
    await started;
    await waitUntil(() => task.delivered.length === 600, 'all 600 records');

    expect(task.delivered.map((r) => r.kafkaOffset)).toEqual(Array.from({ length: 600 }, (_, i) => i));
    for (const [i, r] of task.delivered.entries()) {
      expect(r.key).toBe(i % 10 === 0 ? null : `key-${i}`);
      expect(r.value).toBe(i % 7 === 0 ? null : `value-${i}`);
      expect(r.headers.map((h) => [h.key, h.value])).toEqual([
        ['trace', `t${i}`],
        ['twice', 'a'],
        ['twice', 'b'],
      ]);
    }
    expect(lines.some((l) => l.includes("kafkajs decodes record batches with sluice's decoder"))).toBe(true);
    expect(lines.some((l) => l.includes('did not pick up'))).toBe(false);
  });
});
