// `npm run bench -- clients`: the Kafka clients Sluice could run on, draining the same pre-filled topic
// (~1 KB JSON records, 4 partitions) in the same run, alternated round by round:
// - `kafkajs`: a plain kafkajs 2.2.4 consumer (eachBatch, counting only);
// - `platformatic`: a plain @platformatic/kafka consumer (its MessagesStream, counting only);
// - `sluice-kafkajs`: Sluice's sink loop (fetch, convert, put to a no-op task, commit) over the kafkajs
//   adapter behind core's Kafka port (packages/core/src/kafka/kafkajs), the one that exists.
// Sluice has no @platformatic/kafka adapter: its 1.x consumer cannot give what the port asks for (no
// per-partition pause or seek, no fetch batches with their high watermark, no awaited revocation); see
// the notes this writes. Each run is a child process of its own, so its CPU and peak RSS are its alone.
// Rates run from the first record received to the last. BENCH_RECORDS (default 200000), BENCH_ROUNDS
// (default 3). Results: bench/results/clients-<UTC time>.json.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchRecord, peakRssMiB } from './_measure.js';
import { type BenchRun, writeBenchResult } from './_results.js';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 200_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const PARTITIONS = 4;
/** The same fetch limits for every client: kafkajs' defaults (10 MiB per fetch, 1 MiB per partition). */
const FETCH = { maxBytes: 10 * 2 ** 20, maxBytesPerPartition: 2 ** 20, maxWaitMs: 500 };
const SUBJECTS = ['kafkajs', 'platformatic', 'sluice-kafkajs'] as const;
type Subject = (typeof SUBJECTS)[number];

interface ChildResult {
  records: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

/** What a child measures: first record in → last record in, its own CPU over that span, its peak RSS. */
class Meter {
  private started = 0;
  private cpuAtStart: NodeJS.CpuUsage | undefined;
  count = 0;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  add(n: number): void {
    if (this.started === 0) {
      this.started = performance.now();
      this.cpuAtStart = process.cpuUsage();
    }
    this.count += n;
    if (this.count >= RECORDS) this.resolveDone();
  }

  result(): ChildResult {
    const cpu = process.cpuUsage(this.cpuAtStart);
    return {
      records: this.count,
      seconds: (performance.now() - this.started) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssMiB: peakRssMiB(process.pid),
    };
  }
}

async function drainKafkaJs(bootstrap: string, topic: string, meter: Meter): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'bench-kafkajs', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `bench-clients-${randomUUID()}`,
    readUncommitted: true,
    maxBytes: FETCH.maxBytes,
    maxBytesPerPartition: FETCH.maxBytesPerPartition,
    maxWaitTimeInMs: FETCH.maxWaitMs,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ autoCommit: false, eachBatch: async ({ batch }) => meter.add(batch.messages.length) });
  await meter.done;
  await consumer.disconnect();
}

async function drainPlatformatic(bootstrap: string, topic: string, meter: Meter): Promise<void> {
  const { Consumer, MessagesStreamModes } = await import('@platformatic/kafka');
  const consumer = new Consumer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: [bootstrap],
    groupId: `bench-clients-${randomUUID()}`,
  });
  const stream = await consumer.consume({
    topics: [topic],
    mode: MessagesStreamModes.EARLIEST,
    autocommit: false,
    maxBytes: FETCH.maxBytes,
    maxBytesPerPartition: FETCH.maxBytesPerPartition,
    maxWaitTime: FETCH.maxWaitMs,
  });
  stream.on('data', () => meter.add(1));
  await meter.done;
  await stream.close();
  await consumer.close();
}

async function drainSluice(bootstrap: string, topic: string, meter: Meter): Promise<void> {
  const pino = (await import('pino')).default;
  const { ByteArrayConverter, SimpleHeaderConverter, StringConverter } =
    await import('../../packages/core/src/convert/index.js');
  const { SinkTaskRunner } = await import('../../packages/core/src/sink/runner.js');
  const keyConverter = new StringConverter();
  keyConverter.configure({}, true);
  const valueConverter = new ByteArrayConverter();
  valueConverter.configure({}, false);
  const runner = new SinkTaskRunner({
    connectorName: `bench-clients-${randomUUID().slice(0, 8)}`,
    taskId: 0,
    taskConfig: {
      topics: topic,
      'consumer.override.fetch.max.bytes': String(FETCH.maxBytes),
      'consumer.override.max.partition.fetch.bytes': String(FETCH.maxBytesPerPartition),
      'consumer.override.fetch.max.wait.ms': String(FETCH.maxWaitMs),
    },
    worker: {
      bootstrapServers: [bootstrap],
      clientConfig: {},
      offsetFlushIntervalMs: 5000,
      offsetFlushTimeoutMs: 5000,
      gracefulShutdownTimeoutMs: 10000,
      consumerThread: true,
    },
    task: {
      start: async () => undefined,
      put: async (records) => meter.add(records.length),
      stop: async () => undefined,
    },
    keyConverter,
    valueConverter,
    headerConverter: new SimpleHeaderConverter(),
    logger: pino({ level: 'warn' }),
    metrics: {
      recordsRead: () => undefined,
      recordsSent: () => undefined,
      putBatchTime: () => undefined,
      offsetCommit: () => undefined,
      recordsFailed: () => undefined,
      deadLetterRecords: () => undefined,
      consumerLag: () => undefined,
    },
    onStatus: () => undefined,
  });
  await runner.start();
  if (runner.status().state === 'FAILED') throw new Error(runner.status().trace);
  await meter.done;
  await runner.stop();
}

/** In a child: drain the topic with one subject and print what it measured as the last line. */
async function child(subject: Subject, bootstrap: string, topic: string): Promise<void> {
  const meter = new Meter();
  const drain = { kafkajs: drainKafkaJs, platformatic: drainPlatformatic, 'sluice-kafkajs': drainSluice }[
    subject
  ];
  const timeout = setTimeout(() => {
    console.error(`${subject}: ${meter.count} of ${RECORDS} records after 10 minutes`);
    process.exit(1);
  }, 10 * 60_000);
  await drain(bootstrap, topic, meter);
  clearTimeout(timeout);
  console.log(JSON.stringify(meter.result()));
  process.exit(0);
}

function runChild(subject: Subject, bootstrap: string, topic: string): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_CLIENTS_CHILD: subject, BENCH_BOOTSTRAP: bootstrap, BENCH_TOPIC: topic },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{'))
    throw new Error(
      `${subject} run failed (exit ${r.status}): ${r.stderr.slice(-3000)}${r.stdout.slice(-1000)}`,
    );
  const result = JSON.parse(last) as ChildResult;
  if (result.records < RECORDS)
    throw new Error(`${subject} received ${result.records} of ${RECORDS} records`);
  return result;
}

/** The installed version (read from the file: @platformatic/kafka does not export its package.json). */
function versionOf(pkg: string): string {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  return (JSON.parse(readFileSync(`${root}node_modules/${pkg}/package.json`, 'utf8')) as { version: string })
    .version;
}

async function main(): Promise<void> {
  const { ensureServices } = await import('@sluice/test-infra');
  const { KafkaTestClient, uniqueName } = await import('@sluice/test-utils');
  const services = await ensureServices(['kafka']);
  const bootstrap = services['kafka']!['bootstrapServers'] as string;
  const kafka = new KafkaTestClient(bootstrap);
  const topic = uniqueName('bench-clients');
  const values = Array.from({ length: RECORDS }, (_, i) => benchRecord(i));
  console.log(
    `records: ${RECORDS} of ${values[0]!.length} bytes, ${PARTITIONS} partitions; ${ROUNDS} rounds of ${SUBJECTS.join(', ')}`,
  );
  const runs: BenchRun[] = [];
  try {
    await kafka.createTopic(topic, PARTITIONS);
    await kafka.produce(
      topic,
      values.map((value, i) => ({ key: `k${i}`, value })),
      500,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      for (const subject of SUBJECTS) {
        const r = runChild(subject, bootstrap, topic);
        const run: BenchRun = {
          case: 'no-op drain',
          subject,
          round,
          records: r.records,
          seconds: r.seconds,
          recordsPerSec: r.records / r.seconds,
          cpuSecondsPerMillion: (r.cpuSeconds / r.records) * 1e6,
          peakRssMiB: r.peakRssMiB,
        };
        runs.push(run);
        console.log(
          `  [${round}/${ROUNDS}] ${subject}: ${run.recordsPerSec.toFixed(0)} records/s, ` +
            `${run.cpuSecondsPerMillion!.toFixed(1)} CPU-s/M, peak RSS ${run.peakRssMiB!.toFixed(0)} MiB`,
        );
      }
    }
  } finally {
    await kafka.deleteTopics(topic).catch(() => undefined);
    await kafka.close();
  }
  writeBenchResult({
    suite: 'clients',
    config: {
      records: RECORDS,
      recordBytes: values[0]!.length,
      partitions: PARTITIONS,
      rounds: ROUNDS,
      fetchMaxBytes: FETCH.maxBytes,
      partitionFetchMaxBytes: FETCH.maxBytesPerPartition,
      fetchMaxWaitMs: FETCH.maxWaitMs,
    },
    runs,
    compare: [
      ['platformatic', 'kafkajs'],
      ['sluice-kafkajs', 'kafkajs'],
    ],
    versions: { kafkajs: versionOf('kafkajs'), '@platformatic/kafka': versionOf('@platformatic/kafka') },
    notes: [
      'Each run is a child process draining the whole topic from the beginning with a new group; records/s from the first record to the last; CPU and peak RSS are the child process (all its threads).',
      'kafkajs and platformatic only count records (no decode, no commit); sluice-kafkajs is the sink loop over core’s kafkajs adapter (consumer thread on, ByteArrayConverter, no-op task, offset commits every 5 s).',
      'No @platformatic/kafka adapter behind core’s Kafka port: its 1.x consumer has no per-partition pause/resume or seek (KafkaConsumer.pause/resume/seek, BatchControl.resolve), delivers single messages without the fetch’s high watermark (FetchedBatch.highWatermark/nextOffset), and emits rebalance events without awaiting a handler (onPartitionsRevoked before the rejoin). An adapter would own the fetch loop on Consumer.fetch() with its own group membership (joinGroup/heartbeats), as the kafkajs adapter owns its fetch-ahead queue.',
    ],
  });
}

const childSubject = process.env['BENCH_CLIENTS_CHILD'] as Subject | undefined;
if (childSubject) await child(childSubject, process.env['BENCH_BOOTSTRAP']!, process.env['BENCH_TOPIC']!);
else await main();
