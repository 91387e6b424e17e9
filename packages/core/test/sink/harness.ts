import pino from 'pino';
import { DataException } from '../../src/errors.js';
import type { Converter, HeaderConverter } from '../../src/convert/api.js';
import type { SinkRecord, SinkTask, SinkTaskContext } from '../../src/sink/api.js';
import type { SinkTaskMetrics, SinkTaskRunnerOptions, TaskStatus } from '../../src/sink/runner-types.js';
import type { FakeKafka } from './fake-kafka.js';

/** UTF-8 strings; a value starting with "poison" cannot be converted (a DataException, like bad JSON). */
export class TestStringConverter implements Converter {
  configure(): void {}
  fromConnectData(_topic: string, _schema: unknown, value: unknown): Buffer | null {
    return value === null ? null : Buffer.from(String(value));
  }
  toConnectData(_topic: string, bytes: Buffer | null) {
    const text = bytes === null ? null : bytes.toString('utf8');
    if (text?.startsWith('poison'))
      throw new DataException(`Converting byte[] to Kafka Connect data failed: '${text}' is not valid`);
    return { schema: null, value: text };
  }
}

export class TestHeaderConverter implements HeaderConverter {
  configure(): void {}
  toConnectHeader(_topic: string, _key: string, bytes: Buffer | null) {
    return { schema: null, value: bytes === null ? null : bytes.toString('utf8') };
  }
  fromConnectHeader(_topic: string, _key: string, _schema: unknown, value: unknown): Buffer | null {
    return value === null ? null : Buffer.from(String(value));
  }
}

/** A sink task that records what it was given; `onPut` decides what each put does. */
export class RecordingTask implements SinkTask {
  readonly puts: SinkRecord[][] = [];
  readonly delivered: SinkRecord[] = [];
  readonly calls: string[] = [];
  context!: SinkTaskContext;
  onPut: (records: readonly SinkRecord[], attempt: number) => Promise<void> = async () => undefined;
  private attempts = 0;

  async start(_config: Record<string, string>, context: SinkTaskContext): Promise<void> {
    this.context = context;
    this.calls.push('start');
  }
  async open(): Promise<void> {
    this.calls.push('open');
  }
  async put(records: readonly SinkRecord[]): Promise<void> {
    this.puts.push([...records]);
    await this.onPut(records, ++this.attempts);
    this.delivered.push(...records);
  }
  async close(): Promise<void> {
    this.calls.push('close');
  }
  async stop(): Promise<void> {
    this.calls.push('stop');
  }
}

export function countingMetrics(): SinkTaskMetrics & { counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const add = (k: string, n = 1) => (counts[k] = (counts[k] ?? 0) + n);
  return {
    counts,
    recordsRead: (n) => add('read', n),
    recordsSent: (n) => add('sent', n),
    putBatchTime: () => add('puts'),
    offsetCommit: (ok) => add(ok ? 'commitOk' : 'commitFailed'),
    recordsFailed: (n) => add('failed', n),
    deadLetterRecords: (n) => add('dlq', n),
    consumerLag: () => undefined,
  };
}

export function runnerOptions(
  kafka: FakeKafka,
  task: SinkTask,
  config: Record<string, string>,
  statuses: TaskStatus[] = [],
  worker: Partial<SinkTaskRunnerOptions['worker']> = {},
): SinkTaskRunnerOptions {
  return {
    connectorName: 'test-sink',
    taskId: 0,
    taskConfig: { name: 'test-sink', ...config },
    worker: {
      bootstrapServers: ['unused:9092'],
      clientConfig: {},
      offsetFlushIntervalMs: 50,
      offsetFlushTimeoutMs: 1000,
      gracefulShutdownTimeoutMs: 2000,
      ...worker,
    },
    task,
    keyConverter: new TestStringConverter(),
    valueConverter: new TestStringConverter(),
    headerConverter: new TestHeaderConverter(),
    logger: pino({ level: 'silent' }),
    metrics: countingMetrics(),
    onStatus: (s) => statuses.push(s),
    kafka,
  };
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const values = (records: readonly SinkRecord[]) => records.map((r) => r.value);
