// Runtime benchmark: records/s through the whole sink loop (fetch, convert, put to a no-op task,
// commit) beside the raw kafkajs consume rate (eachBatch, no processing) of the same topic, in the
// same run, interleaved; plus peak RSS while the backlog drains.
//
//   npx tsx tools/bench/runtime.ts            (or: npm run bench -- runtime)
//   BENCH_RECORDS=1000000 BENCH_PARTITIONS=4 BENCH_REPS=2 KAFKA_BOOTSTRAP=127.0.0.1:9092
//   BENCH_TOPIC=name   keeps the topic for later runs and reuses it when it exists (no produce step),
//                      e.g. to profile: node --cpu-prof --import tsx tools/bench/runtime.ts
//   BENCH_ONLY=raw|sluice   runs one side only (profiling)
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import {
  JsonConverter,
  SimpleHeaderConverter,
  StringConverter,
} from '../../packages/core/src/convert/index.js';
import { KafkaJsClientFactory } from '../../packages/core/src/kafka/index.js';
import type { SinkRecord, SinkTask } from '../../packages/core/src/sink/api.js';
import { SinkTaskRunner } from '../../packages/core/src/sink/runner.js';
import type { SinkTaskMetrics, TaskStatus } from '../../packages/core/src/sink/runner-types.js';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 1_000_000);
const PARTITIONS = Number(process.env['BENCH_PARTITIONS'] ?? 4);
const REPS = Number(process.env['BENCH_REPS'] ?? 2);
const RECORD_BYTES = 1024;
/** `json` (JsonConverter, schemaless: the realistic case) or `string` (StringConverter: engine overhead only). */
const VALUE_CONVERTER = process.env['BENCH_VALUE_CONVERTER'] ?? 'json';
const logger = pino({ level: process.env['BENCH_LOG'] ?? 'warn' });
const KEPT_TOPIC = process.env['BENCH_TOPIC'];
const ONLY = process.env['BENCH_ONLY'];

async function bootstrapServers(): Promise<string> {
  if (process.env['KAFKA_BOOTSTRAP']) return process.env['KAFKA_BOOTSTRAP'];
  const { ensureServices } = await import('@sluice/test-infra');
  const { kafka } = await ensureServices(['kafka']);
  return String(kafka!['bootstrapServers'] ?? kafka!['connection']);
}

/** A schemaless JSON document of about 1 KB, as a typical sink sees it. */
function jsonRecord(i: number): Buffer {
  const doc = {
    id: i,
    customer: `customer-${i % 10_000}`,
    amount: Math.round(i * 1.37) / 100,
    currency: 'EUR',
    createdAt: new Date(1_700_000_000_000 + i).toISOString(),
    tags: ['bench', `p${i % 7}`],
    note: '',
  };
  const base = JSON.stringify(doc).length;
  doc.note = 'x'.repeat(Math.max(0, RECORD_BYTES - base));
  return Buffer.from(JSON.stringify(doc));
}

function progress(label: string, done: () => number, total: number): () => void {
  const start = Date.now();
  const timer = setInterval(() => {
    const n = done();
    const s = (Date.now() - start) / 1000;
    console.log(
      `  [${label}] ${n.toLocaleString()} / ${total.toLocaleString()} records, ${Math.round(n / s).toLocaleString()} rec/s, rss ${mb(process.memoryUsage().rss)}`,
    );
  }, 2000);
  return () => clearInterval(timer);
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** Whether a kept topic holds the backlog already (RECORDS records or more). */
async function alreadyFilled(bootstrap: string, topic: string): Promise<boolean> {
  const admin = new Kafka({
    brokers: [bootstrap],
    clientId: 'bench-check',
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return false;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0) >= RECORDS;
  } finally {
    await admin.disconnect();
  }
}

async function prefill(bootstrap: string, topic: string): Promise<void> {
  const clients = new KafkaJsClientFactory({ 'bootstrap.servers': bootstrap, 'producer.acks': '1' }, logger);
  const admin = clients.admin({ clientId: 'bench-admin' });
  await admin.connect();
  await admin.createTopics([{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
  await admin.disconnect();
  const producer = clients.producer({ clientId: 'bench-producer' });
  await producer.connect();
  let sent = 0;
  const stop = progress('produce', () => sent, RECORDS);
  const started = Date.now();
  const batch = 1000;
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < RECORDS; i += batch) {
    const records = [];
    for (let j = i; j < Math.min(RECORDS, i + batch); j++) {
      records.push({ topic, partition: j % PARTITIONS, key: Buffer.from(`k${j}`), value: jsonRecord(j) });
    }
    const p = producer.send(records).then(() => {
      sent += records.length;
      inFlight.delete(p);
    });
    inFlight.add(p);
    if (inFlight.size >= 8) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  stop();
  await producer.disconnect();
  console.log(
    `  produced ${RECORDS.toLocaleString()} records of ~1 KB in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** Raw kafkajs: eachBatch, nothing done per record beyond counting. */
async function rawConsume(bootstrap: string, topic: string): Promise<number> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'bench-raw', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}` });
  let count = 0;
  let started = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const stop = progress('kafkajs', () => count, RECORDS);
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      if (started === 0) started = performance.now();
      count += batch.messages.length;
      if (count >= RECORDS) resolveDone();
    },
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  stop();
  await consumer.disconnect();
  return RECORDS / seconds;
}

class NoOpTask implements SinkTask {
  count = 0;
  firstPut = 0;
  onAll: () => void = () => undefined;
  async start(): Promise<void> {}
  async put(records: readonly SinkRecord[]): Promise<void> {
    if (this.firstPut === 0) this.firstPut = performance.now();
    this.count += records.length;
    if (this.count >= RECORDS) this.onAll();
  }
  async stop(): Promise<void> {}
}

const noMetrics: SinkTaskMetrics = {
  recordsRead: () => undefined,
  recordsSent: () => undefined,
  putBatchTime: () => undefined,
  offsetCommit: () => undefined,
  recordsFailed: () => undefined,
  deadLetterRecords: () => undefined,
  consumerLag: () => undefined,
};

async function sluiceConsume(
  bootstrap: string,
  topic: string,
): Promise<{ rate: number; peakRss: number; commits: number }> {
  const task = new NoOpTask();
  const done = new Promise<void>((r) => (task.onAll = r));
  const valueConverter = VALUE_CONVERTER === 'string' ? new StringConverter() : new JsonConverter();
  valueConverter.configure(VALUE_CONVERTER === 'string' ? {} : { 'schemas.enable': 'false' }, false);
  const keyConverter = new StringConverter();
  keyConverter.configure({}, true);
  let commits = 0;
  const statuses: TaskStatus[] = [];
  const runner = new SinkTaskRunner({
    connectorName: `bench-${randomUUID().slice(0, 8)}`,
    taskId: 0,
    taskConfig: { topics: topic, 'consumer.override.max.poll.records': '2000' },
    worker: {
      bootstrapServers: [bootstrap],
      clientConfig: {},
      offsetFlushIntervalMs: 5000,
      offsetFlushTimeoutMs: 5000,
      gracefulShutdownTimeoutMs: 10000,
    },
    task,
    keyConverter,
    valueConverter,
    headerConverter: new SimpleHeaderConverter(),
    logger,
    metrics: { ...noMetrics, offsetCommit: (ok) => void (ok && commits++) },
    onStatus: (s) => statuses.push(s),
  });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const stop = progress('sluice', () => task.count, RECORDS);
  await runner.start();
  if (runner.status().state === 'FAILED') throw new Error(runner.status().trace);
  await done;
  const seconds = (performance.now() - task.firstPut) / 1000;
  stop();
  clearInterval(sampler);
  await runner.stop();
  return { rate: RECORDS / seconds, peakRss, commits };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const bootstrap = await bootstrapServers();
  const topic = KEPT_TOPIC ?? `bench-runtime-${randomUUID().slice(0, 8)}`;
  console.log(
    `runtime benchmark: ${RECORDS.toLocaleString()} JSON records of ~1 KB, ${PARTITIONS} partitions, ${REPS} interleaved runs each, Kafka ${bootstrap}`,
  );
  if (KEPT_TOPIC !== undefined && (await alreadyFilled(bootstrap, topic))) {
    console.log(`  reusing the records of topic ${topic}`);
  } else {
    await prefill(bootstrap, topic);
  }
  const raw: number[] = [];
  const sluice: number[] = [];
  let peak = 0;
  for (let rep = 1; rep <= REPS; rep++) {
    if (ONLY !== 'sluice') {
      console.log(`run ${rep}/${REPS}: raw kafkajs consume`);
      raw.push(await rawConsume(bootstrap, topic));
      if (global.gc) global.gc();
    }
    if (ONLY === 'raw') continue;
    console.log(
      `run ${rep}/${REPS}: sluice sink loop (${VALUE_CONVERTER === 'string' ? 'StringConverter' : 'JsonConverter schemaless'} values, no-op task)`,
    );
    const r = await sluiceConsume(bootstrap, topic);
    sluice.push(r.rate);
    peak = Math.max(peak, r.peakRss);
    console.log(
      `  kafkajs ${Math.round(raw[raw.length - 1] ?? NaN).toLocaleString()} rec/s, sluice ${Math.round(r.rate).toLocaleString()} rec/s, commits ${r.commits}, peak RSS ${mb(r.peakRss)}`,
    );
  }
  if (ONLY !== undefined) return;
  // Each run pairs a raw and a sluice drain back to back: on a shared machine the median of the
  // per-run ratios is steadier than the ratio of the two medians.
  const ratios = sluice.map((x, i) => x / raw[i]!);
  const ratio = median(ratios);
  console.log('\nresult (median of runs)');
  console.log(
    `  raw kafkajs consume        ${Math.round(median(raw)).toLocaleString()} rec/s   runs: ${raw.map((x) => Math.round(x)).join(', ')}`,
  );
  console.log(
    `  sluice fetch→convert→put   ${Math.round(median(sluice)).toLocaleString()} rec/s   runs: ${sluice.map((x) => Math.round(x)).join(', ')}`,
  );
  console.log(
    `  ratio ${ratio.toFixed(2)}x (median of the per-run ratios ${ratios.map((r) => r.toFixed(2)).join(', ')}; goal >= 0.90x)   peak RSS while draining ${RECORDS.toLocaleString()} records: ${mb(peak)}`,
  );
  if (KEPT_TOPIC !== undefined) return;
  const clients = new KafkaJsClientFactory({ 'bootstrap.servers': bootstrap }, logger);
  const admin = clients.admin({ clientId: 'bench-admin' });
  await admin.connect();
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.disconnect();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
