// Runtime benchmark: records/s through the whole sink loop (fetch, convert, put to a no-op task,
// commit) beside the raw kafkajs consume rate (eachBatch, no processing) of the same topic, in the
// same run, interleaved; plus peak RSS while the backlog drains. A second reference is kafkajs with the
// value decoded by the plain library call in eachBatch (JSON.parse, avsc, toString): what a hand-written
// kafkajs consumer that reads its values costs. One set of runs per value format:
// `json` (schemaless JsonConverter), `avro` (AvroConverter, Confluent wire format, schema registry),
// `string` (StringConverter over the JSON records: the engine's own overhead).
//
//   npx tsx tools/bench/runtime.ts            (or: npm run bench -- runtime)
//   BENCH_RECORDS=1000000 BENCH_PARTITIONS=4 BENCH_REPS=3 KAFKA_BOOTSTRAP=127.0.0.1:9092
//   BENCH_FORMATS=json,avro,string   which value formats to run (default all three)
//   BENCH_TOPIC=name   keeps the topics (name, name-avro) for later runs and reuses them when filled,
//                      e.g. to profile: node --cpu-prof --import tsx tools/bench/runtime.ts
//   BENCH_ONLY=raw|sluice   runs one side only (profiling)
//   BENCH_CONSUMER_THREAD=false   runs the engine with its consumer on the task's thread
// Results: bench/results/runtime-<UTC time>.json (case = value format; subjects raw = kafkajs eachBatch,
// decoded = kafkajs + plain decode, sluice = the sink loop).
import { randomUUID } from 'node:crypto';
import avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { encodeAvro, registerAvroSchema } from '@sluice/test-utils';
import type { Converter } from '../../packages/core/src/convert/api.js';
import { AvroConverter } from '../../packages/core/src/convert/avro/index.js';
import {
  JsonConverter,
  SimpleHeaderConverter,
  StringConverter,
} from '../../packages/core/src/convert/index.js';
import { KafkaJsClientFactory } from '../../packages/core/src/kafka/index.js';
import type { SinkRecord, SinkTask } from '../../packages/core/src/sink/api.js';
import { SinkTaskRunner } from '../../packages/core/src/sink/runner.js';
import type { SinkTaskMetrics, TaskStatus } from '../../packages/core/src/sink/runner-types.js';
import { type BenchRun, writeBenchResult } from './_results.js';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 1_000_000);
const PARTITIONS = Number(process.env['BENCH_PARTITIONS'] ?? 4);
const REPS = Number(process.env['BENCH_REPS'] ?? 3);
const RECORD_BYTES = 1024;
type Format = 'json' | 'avro' | 'string';
const FORMATS = (process.env['BENCH_FORMATS'] ?? 'json,avro,string')
  .split(',')
  .map((f) => f.trim()) as Format[];
const FORMAT_LABEL: Record<Format, string> = {
  json: 'JsonConverter, schemaless',
  avro: 'AvroConverter, schema registry',
  string: 'StringConverter',
};
const logger = pino({ level: process.env['BENCH_LOG'] ?? 'warn' });
const KEPT_TOPIC = process.env['BENCH_TOPIC'];
const ONLY = process.env['BENCH_ONLY'];

async function services(): Promise<{ bootstrap: string; registry: string | null }> {
  const needRegistry = FORMATS.includes('avro');
  const { ensureServices } = await import('@sluice/test-infra');
  const wanted = [
    ...(process.env['KAFKA_BOOTSTRAP'] ? [] : ['kafka']),
    ...(needRegistry ? ['schema-registry'] : []),
  ];
  const up = wanted.length > 0 ? await ensureServices(wanted as Parameters<typeof ensureServices>[0]) : {};
  const kafka = up['kafka'];
  return {
    bootstrap: process.env['KAFKA_BOOTSTRAP'] ?? String(kafka!['bootstrapServers'] ?? kafka!['connection']),
    registry: needRegistry
      ? String(up['schema-registry']!['url'] ?? up['schema-registry']!['connection'])
      : null,
  };
}

const ORDER_SCHEMA = {
  type: 'record',
  name: 'Order',
  namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'currency', type: 'string' },
    { name: 'createdAt', type: 'string' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'note', type: 'string' },
  ],
};

/** A document of about 1 KB, as a typical sink sees it. */
function order(i: number) {
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
  return doc;
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

async function prefill(bootstrap: string, topic: string, encode: (i: number) => Buffer): Promise<void> {
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
      records.push({ topic, partition: j % PARTITIONS, key: Buffer.from(`k${j}`), value: encode(j) });
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
    `  produced ${RECORDS.toLocaleString()} records to ${topic} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** Process CPU time per record (µs) of the last drain: both threads when the consumer has its own. */
let lastCpuPerRecord = NaN;

/** The plain library decode of a value, per format: the second reference. */
const ORDER_TYPE = avro.Type.forSchema(ORDER_SCHEMA as avro.Schema);
const PLAIN_DECODE_LABEL: Record<Format, string> = {
  json: 'JSON.parse',
  avro: 'avsc decode',
  string: 'toString',
};
const PLAIN_DECODE: Record<Format, (value: Buffer) => unknown> = {
  json: (v) => JSON.parse(v.toString('utf8')),
  // Confluent wire format: magic byte and schema id, then the Avro body.
  avro: (v) => ORDER_TYPE.fromBuffer(v.subarray(5)),
  string: (v) => v.toString('utf8'),
};

/** Raw kafkajs: eachBatch, nothing done per record beyond counting (and `decode`, when given). */
async function rawConsume(
  bootstrap: string,
  topic: string,
  decode?: (value: Buffer) => unknown,
): Promise<number> {
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'bench-raw', logLevel: logLevel.NOTHING });
  // The isolation level of Sluice's sink consumers (Kafka Connect's default), so both fetch alike.
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, readUncommitted: true });
  let count = 0;
  let started = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const stop = progress(decode ? 'kafkajs + decode' : 'kafkajs', () => count, RECORDS);
  let decoded: unknown;
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      if (started === 0) {
        started = performance.now();
        cpuAtStart = process.cpuUsage();
      }
      if (decode) for (const m of batch.messages) decoded = decode(m.value!);
      count += batch.messages.length;
      if (count >= RECORDS) resolveDone();
    },
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  lastCpuPerRecord = (cpu.user + cpu.system) / RECORDS;
  stop();
  await consumer.disconnect();
  if (decode && decoded === undefined) throw new Error('the decode reference decoded nothing');
  return RECORDS / seconds;
}

class NoOpTask implements SinkTask {
  count = 0;
  firstPut = 0;
  cpuAtStart: NodeJS.CpuUsage | undefined;
  onAll: () => void = () => undefined;
  async start(): Promise<void> {}
  async put(records: readonly SinkRecord[]): Promise<void> {
    if (this.firstPut === 0) {
      this.firstPut = performance.now();
      this.cpuAtStart = process.cpuUsage();
    }
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

function valueConverterFor(format: Format, registry: string | null): Converter {
  switch (format) {
    case 'json': {
      const c = new JsonConverter();
      c.configure({ 'schemas.enable': 'false' }, false);
      return c;
    }
    case 'avro': {
      const c = new AvroConverter();
      c.configure({ 'schema.registry.url': registry! }, false);
      return c;
    }
    case 'string': {
      const c = new StringConverter();
      c.configure({}, false);
      return c;
    }
  }
}

async function sluiceConsume(
  bootstrap: string,
  topic: string,
  valueConverter: Converter,
): Promise<{ rate: number; peakRss: number; commits: number }> {
  const task = new NoOpTask();
  const done = new Promise<void>((r) => (task.onAll = r));
  const keyConverter = new StringConverter();
  keyConverter.configure({}, true);
  let commits = 0;
  const statuses: TaskStatus[] = [];
  const runner = new SinkTaskRunner({
    connectorName: `bench-${randomUUID().slice(0, 8)}`,
    taskId: 0,
    taskConfig: {
      topics: topic,
      'consumer.override.max.poll.records': process.env['BENCH_MAX_POLL_RECORDS'] ?? '500',
    },
    worker: {
      bootstrapServers: [bootstrap],
      clientConfig: {},
      offsetFlushIntervalMs: 5000,
      offsetFlushTimeoutMs: 5000,
      gracefulShutdownTimeoutMs: 10000,
      consumerThread: process.env['BENCH_CONSUMER_THREAD'] !== 'false',
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
  const cpu = process.cpuUsage(task.cpuAtStart);
  lastCpuPerRecord = (cpu.user + cpu.system) / RECORDS;
  stop();
  clearInterval(sampler);
  await runner.stop();
  return { rate: RECORDS / seconds, peakRss, commits };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface FormatResult {
  format: Format;
  raw: number[];
  /** kafkajs with the plain library decode of each value. */
  decoded: number[];
  sluice: number[];
  /** Process CPU µs per record (user + system, all threads). */
  rawCpu: number[];
  sluiceCpu: number[];
  peak: number;
}

async function runFormat(bootstrap: string, registry: string | null, format: Format): Promise<FormatResult> {
  const base = KEPT_TOPIC ?? `bench-runtime-${randomUUID().slice(0, 8)}`;
  const topic = format === 'avro' ? `${base}-avro` : base;
  console.log(`\n${FORMAT_LABEL[format]}: topic ${topic}`);
  if (KEPT_TOPIC !== undefined && (await alreadyFilled(bootstrap, topic))) {
    console.log(`  reusing the records of topic ${topic}`);
  } else if (format === 'avro') {
    const schema = await registerAvroSchema(registry!, `${topic}-value`, ORDER_SCHEMA);
    await prefill(bootstrap, topic, (i) => encodeAvro(schema, order(i)));
  } else if (!filled.has(topic)) {
    await prefill(bootstrap, topic, (i) => Buffer.from(JSON.stringify(order(i))));
  }
  filled.add(topic);
  const result: FormatResult = {
    format,
    raw: [],
    decoded: [],
    sluice: [],
    rawCpu: [],
    sluiceCpu: [],
    peak: 0,
  };
  for (let rep = 1; rep <= REPS; rep++) {
    if (ONLY !== 'sluice') {
      console.log(`run ${rep}/${REPS}: raw kafkajs consume`);
      result.raw.push(await rawConsume(bootstrap, topic));
      result.rawCpu.push(lastCpuPerRecord);
      keep(format, 'raw', rep, result.raw[result.raw.length - 1]!, lastCpuPerRecord);
      console.log(`run ${rep}/${REPS}: kafkajs consume + ${PLAIN_DECODE_LABEL[format]} per value`);
      result.decoded.push(await rawConsume(bootstrap, topic, PLAIN_DECODE[format]));
      keep(format, 'decoded', rep, result.decoded[result.decoded.length - 1]!, lastCpuPerRecord);
      if (global.gc) global.gc();
    }
    if (ONLY === 'raw') continue;
    console.log(`run ${rep}/${REPS}: sluice sink loop (${FORMAT_LABEL[format]}, no-op task)`);
    const r = await sluiceConsume(bootstrap, topic, valueConverterFor(format, registry));
    result.sluice.push(r.rate);
    result.sluiceCpu.push(lastCpuPerRecord);
    keep(format, 'sluice', rep, r.rate, lastCpuPerRecord, r.peakRss);
    result.peak = Math.max(result.peak, r.peakRss);
    console.log(
      `  kafkajs ${Math.round(result.raw[result.raw.length - 1] ?? NaN).toLocaleString()} rec/s (CPU ${(result.rawCpu[result.rawCpu.length - 1] ?? NaN).toFixed(1)} µs/record), ` +
        `kafkajs + ${PLAIN_DECODE_LABEL[format]} ${Math.round(result.decoded[result.decoded.length - 1] ?? NaN).toLocaleString()} rec/s, ` +
        `sluice ${Math.round(r.rate).toLocaleString()} rec/s (CPU ${lastCpuPerRecord.toFixed(1)} µs/record), commits ${r.commits}, peak RSS ${mb(r.peakRss)}`,
    );
  }
  return result;
}

/** Every timed drain, for the stored result. */
const runs: BenchRun[] = [];
function keep(
  format: Format,
  subject: string,
  round: number,
  rate: number,
  cpu?: number,
  rssBytes?: number,
): void {
  runs.push({
    case: format,
    subject,
    round,
    records: RECORDS,
    seconds: RECORDS / rate,
    recordsPerSec: rate,
    // CPU µs per record is CPU seconds per million records.
    ...(cpu !== undefined && Number.isFinite(cpu) ? { cpuSecondsPerMillion: cpu } : {}),
    ...(rssBytes !== undefined ? { peakRssMiB: rssBytes / 2 ** 20 } : {}),
  });
}

/** Topics produced in this run (json and string share theirs). */
const filled = new Set<string>();

async function main(): Promise<void> {
  const { bootstrap, registry } = await services();
  console.log(
    `runtime benchmark: ${RECORDS.toLocaleString()} records of ~1 KB, ${PARTITIONS} partitions, ${REPS} interleaved runs per format, Kafka ${bootstrap}`,
  );
  const results: FormatResult[] = [];
  for (const format of FORMATS) results.push(await runFormat(bootstrap, registry, format));
  if (ONLY !== undefined) return;
  // Each run pairs a raw and a sluice drain back to back: on a shared machine the median of the
  // per-run ratios is steadier than the ratio of the two medians.
  console.log('\nresult (median of runs; goal >= 0.90x of raw kafkajs consume)');
  console.log(
    '| value format | raw kafkajs rec/s | kafkajs + plain decode rec/s | sluice rec/s | ratio to raw | per-run ratios | ratio to kafkajs + decode | CPU µs/record raw / sluice | peak RSS |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const ratios = r.sluice.map((x, i) => x / r.raw[i]!);
    const toDecoded = r.sluice.map((x, i) => x / r.decoded[i]!);
    console.log(
      `| ${FORMAT_LABEL[r.format]} | ${Math.round(median(r.raw)).toLocaleString()} | ` +
        `${Math.round(median(r.decoded)).toLocaleString()} (${PLAIN_DECODE_LABEL[r.format]}) | ${Math.round(median(r.sluice)).toLocaleString()} | ` +
        `${median(ratios).toFixed(2)}x | ${ratios.map((x) => x.toFixed(2)).join(', ')} | ${median(toDecoded).toFixed(2)}x | ` +
        `${median(r.rawCpu).toFixed(1)} / ${median(r.sluiceCpu).toFixed(1)} | ${mb(r.peak)} |`,
    );
  }
  writeBenchResult({
    suite: 'runtime',
    config: {
      records: RECORDS,
      partitions: PARTITIONS,
      rounds: REPS,
      recordBytes: RECORD_BYTES,
      formats: FORMATS.join(','),
      maxPollRecords: Number(process.env['BENCH_MAX_POLL_RECORDS'] ?? 500),
      consumerThread: process.env['BENCH_CONSUMER_THREAD'] !== 'false',
    },
    runs,
    compare: [
      ['sluice', 'raw'],
      ['sluice', 'decoded'],
    ],
    versions: { kafkajs: (await import('kafkajs/package.json', { with: { type: 'json' } })).default.version },
    notes: [
      'One process: raw = kafkajs eachBatch counting records; decoded = kafkajs eachBatch with the plain library decode of each value; ' +
        'sluice = the sink loop (fetch, convert, put to a no-op task, commit). CPU and peak RSS are the whole process (both threads). Goal: sluice >= 0.90x raw.',
    ],
  });
  if (KEPT_TOPIC !== undefined) return;
  const clients = new KafkaJsClientFactory({ 'bootstrap.servers': bootstrap }, logger);
  const admin = clients.admin({ clientId: 'bench-admin' });
  await admin.connect();
  await admin.deleteTopics([...filled]).catch(() => undefined);
  await admin.disconnect();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
