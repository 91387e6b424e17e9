import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProducedRecord } from '../../src/kafka/port.js';
import { DeadLetterQueue, DLQ_QUEUE_LIMITS } from '../../src/sink/dead-letter-queue.js';
import { SinkTaskRunner } from '../../src/sink/runner.js';
import type { TaskStatus } from '../../src/sink/runner-types.js';
import { FakeKafka } from './fake-kafka.js';
import { RecordingTask, runnerOptions, waitFor } from './harness.js';

// A dead letter queue that does not answer (issue 13, defect 3): memory stays bounded because
// fetching stops while the DLQ queue is full, and a write that is never acknowledged fails the task.

const runners: SinkTaskRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

const dlqConfig = (topic: string) => ({
  topics: topic,
  'errors.tolerance': 'all',
  'errors.deadletterqueue.topic.name': `${topic}-dlq`,
  'errors.deadletterqueue.topic.replication.factor': '1',
});

function poisonTopic(kafka: FakeKafka, topic: string, count: number) {
  kafka.addTopic(topic, 1);
  for (let i = 0; i < count; i++) kafka.append(topic, 0, `poison-${i}`);
}

describe('SinkTaskRunner with a dead letter queue that does not answer (defect 3)', () => {
  it('stops fetching once the DLQ queue holds its limit of records', async () => {
    const kafka = new FakeKafka();
    kafka.fetchSize = 500;
    const total = DLQ_QUEUE_LIMITS.records * 2;
    poisonTopic(kafka, 'hung', total);
    kafka.sendHook = () => new Promise<void>(() => undefined);
    const task = new RecordingTask();
    const opts = runnerOptions(kafka, task, dlqConfig('hung'));
    const runner = new SinkTaskRunner(opts);
    runners.push(runner);
    await runner.start();
    const counts = (opts.metrics as unknown as { counts: Record<string, number> }).counts;
    await waitFor(() => (counts.read ?? 0) >= DLQ_QUEUE_LIMITS.records, 'a full queue');
    // Give an unbounded engine time to read on; a bounded one is parked in the batch handler.
    await new Promise((r) => setTimeout(r, 300));
    expect(counts.failed).toBeLessThanOrEqual(DLQ_QUEUE_LIMITS.records + kafka.fetchSize);
    expect(counts.read).toBeLessThan(total);
    expect(kafka.committedOffset('hung', 0) ?? 0).toBe(0);
  });

  it('fails the task, naming the record, when a DLQ write is not acknowledged within delivery.timeout.ms', async () => {
    const kafka = new FakeKafka();
    poisonTopic(kafka, 'slow', 5);
    kafka.sendHook = () => new Promise<void>(() => undefined);
    const task = new RecordingTask();
    const statuses: TaskStatus[] = [];
    const runner = new SinkTaskRunner(
      runnerOptions(
        kafka,
        task,
        { ...dlqConfig('slow'), 'producer.override.delivery.timeout.ms': '200' },
        statuses,
      ),
    );
    runners.push(runner);
    await runner.start();
    await waitFor(() => runner.status().state === 'FAILED', 'FAILED');
    const trace = runner.status().trace!;
    expect(trace).toContain("topic 'slow' partition 0 offset 0");
    expect(trace).toContain("dead letter queue topic 'slow-dlq'");
    expect(trace).toContain('delivery.timeout.ms');
    expect(kafka.committedOffset('slow', 0) ?? 0).toBe(0);
  });

  it('fails the task when the DLQ producer reports an error', async () => {
    const kafka = new FakeKafka();
    poisonTopic(kafka, 'denied', 3);
    kafka.sendHook = () => Promise.reject(new Error('TOPIC_AUTHORIZATION_FAILED'));
    const runner = new SinkTaskRunner(runnerOptions(kafka, new RecordingTask(), dlqConfig('denied')));
    runners.push(runner);
    await runner.start();
    await waitFor(() => runner.status().state === 'FAILED', 'FAILED');
    expect(runner.status().trace).toContain('TOPIC_AUTHORIZATION_FAILED');
    expect(kafka.committedOffset('denied', 0) ?? 0).toBe(0);
  });
});

describe('DeadLetterQueue', () => {
  function queue(
    send: (records: readonly ProducedRecord[]) => Promise<void>,
    limits = { records: 100, bytes: 4096 },
  ) {
    const kafka = new FakeKafka();
    kafka.sendHook = send;
    return new DeadLetterQueue({
      connectorName: 'c',
      taskId: 0,
      topic: 'dlq',
      replicationFactor: 1,
      contextHeaders: false,
      producer: kafka.producer(),
      admin: kafka.admin(),
      logger: pino({ level: 'silent' }),
      limits,
    });
  }
  const failed = (offset: number, value: Buffer) => ({
    record: {
      topic: 't',
      partition: 0,
      message: { offset, key: null, value, timestamp: -1, timestampType: 'CreateTime' as const, headers: [] },
    },
    stage: 'VALUE_CONVERTER' as const,
    executingClass: 'X',
    error: new Error('bad'),
  });

  it('is full once the queued bytes reach the limit, and has room again when the write is acknowledged', async () => {
    let release!: () => void;
    const dlq = queue(() => new Promise<void>((r) => (release = r)));
    const writes = [0, 1, 2].map((i) => dlq.report(failed(i, Buffer.alloc(1500))));
    expect(dlq.full()).toBe(true);
    let roomy = false;
    const room = dlq.room().then(() => (roomy = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(roomy).toBe(false);
    release();
    await Promise.all(writes.slice(0, 1));
    // The first send carried record 0 alone; records 1 and 2 go in the next one.
    await new Promise((r) => setTimeout(r, 0));
    release();
    await Promise.all(writes);
    await room;
    expect(dlq.full()).toBe(false);
  });

  it('queues copies, not views into the consumed fetch buffer', async () => {
    const sent: ProducedRecord[] = [];
    const dlq = queue(async (records) => void sent.push(...records));
    // A fetch response is a large buffer of its own (not from Node's small-buffer pool).
    const fetchBuffer = Buffer.alloc(64 * 1024, '.');
    fetchBuffer.write('poison', 4);
    const view = fetchBuffer.subarray(4, 10);
    await dlq.report(failed(7, view));
    expect(sent[0]!.value!.toString()).toBe('poison');
    expect(sent[0]!.value!.buffer).not.toBe(fetchBuffer.buffer);
  });
});
