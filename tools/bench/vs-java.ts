// `npm run bench -- vs-java [--sinks file,mongodb] [--records N] [--rounds 3] [--format json]`:
// Sluice beside Apache Kafka Connect (Java, installed by test-infra), on the same machine, the same
// pre-filled topic and the same converters, one task each. Per sink, three alternating rounds of Java
// Connect standalone then `sluice standalone`. Each run is timed from process start to the last record
// verified in the target (lines in the file, documents in the collection), never from a log line or a
// guess; CPU is the process's user+sys from /proc, RSS its peak (VmHWM), both read just before the stop.
// Prints every run and the ratios Sluice ÷ Java, and writes bench/results/vs-java-<time>.json.
//
// --sluice-node-options=<opts> passes Node options to the Sluice workers (e.g. a heap limit); write
// it with `=` when the value starts with a dash.
//
// Sinks: file (Kafka's FileStreamSink on both sides), mongodb (mongo-kafka-connect vs
// @sluice/sink-mongodb against test-infra's MongoDB-compatible server); elastic, cassandra and mqtt need
// the Camel Kafka Connector sinks, which run only where test-infra could install them.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import type * as Mongo from 'mongodb';
import {
  CONNECT_HEAP_OPTS,
  CONNECT_JVM_PERFORMANCE_OPTS,
  ensureServices,
  installKafkaConnect,
  kafkaConnectJavaVersion,
  MONGO_KAFKA_CONNECT_VERSION,
  startKafkaConnect,
  type ConnectPluginName,
  type KafkaConnectInstall,
} from '@sluice/test-infra';
import { StandaloneWorker, uniqueName } from '@sluice/test-utils';
import { benchRecord, cpuSeconds, peakRssMiB } from './_measure.js';
import { mediansOf, ratiosOf, writeBenchResult, type BenchRun } from './_results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { MongoClient } = createRequire(path.join(root, 'packages/sink-mongodb/package.json'))(
  'mongodb',
) as typeof Mongo;

const PARTITIONS = 4;
const TASKS = '1';
const SINK_NAMES = ['file', 'mongodb', 'elastic', 'cassandra', 'mqtt'] as const;
type SinkName = (typeof SINK_NAMES)[number];

const { values: args } = parseArgs({
  options: {
    sinks: { type: 'string', default: 'file,mongodb' },
    records: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    format: { type: 'string', default: 'json' },
    // Extra Node options for the Sluice workers (e.g. heap limits), recorded in the result's config.
    'sluice-node-options': { type: 'string', default: '' },
  },
});
const sinks = args.sinks.split(',').map((s) => s.trim()) as SinkName[];
for (const s of sinks)
  if (!SINK_NAMES.includes(s))
    throw new Error(`vs-java: unknown sink '${s}'; known: ${SINK_NAMES.join(', ')}`);
const ROUNDS = Number(args.rounds);
if (args.format !== 'json')
  // Java's AvroConverter (io.confluent:kafka-connect-avro-converter) is published only in Confluent's
  // own repository, not on Maven Central, so test-infra cannot install the Java side's converter.
  throw new Error(
    `vs-java: --format ${args.format} is not supported: the Java peer's AvroConverter is not on Maven Central; use --format json`,
  );

// The converters both sides run: String keys, JSON values without schemas (the 1 KB benchRecord).
const CONVERTERS = {
  'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'false',
  'offset.flush.interval.ms': '10000',
};

interface Env {
  bootstrap: string;
  mongoUrl?: string;
  workDir: string;
}

/** What one side needs to drain the topic into a fresh target, and how to count what arrived. */
interface Target {
  java: Record<string, string>;
  sluice: Record<string, string>;
  /** Records verified in the target so far. */
  count(): Promise<number>;
  /** How often to count. */
  pollMs: number;
  /** The exact count, once the run stopped (may be slower than `count`). */
  verify(): Promise<number>;
  cleanup(): Promise<void>;
}

interface SinkBench {
  records: number;
  /** The Java plugin it needs (none for FileStreamSink, which ships with Connect). */
  plugin?: ConnectPluginName;
  /** Why it cannot run here even when its plugin installs (no Sluice counterpart wired in yet). */
  unsupported?: string;
  target(env: Env, topic: string, label: string): Promise<Target>;
}

/** Counts the lines of a growing file, reading only the bytes appended since the last call. */
function lineCounter(file: string): () => Promise<number> {
  let offset = 0;
  let lines = 0;
  const buffer = Buffer.allocUnsafe(8 << 20);
  return async () => {
    if (!existsSync(file)) return 0;
    const fd = openSync(file, 'r');
    try {
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, offset);
        if (n === 0) break;
        offset += n;
        for (let i = buffer.indexOf(10); i !== -1 && i < n; i = buffer.indexOf(10, i + 1)) lines++;
      }
    } finally {
      closeSync(fd);
    }
    return lines;
  };
}

const SINKS: Record<SinkName, SinkBench> = {
  file: {
    records: 1_000_000,
    async target(env, topic, label) {
      const file = path.join(env.workDir, `${label}.txt`);
      const config = { topics: topic, file, 'tasks.max': TASKS };
      return {
        java: { 'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector', ...config },
        sluice: { 'connector.class': 'FileStreamSink', ...config },
        count: lineCounter(file),
        pollMs: 100,
        verify: lineCounter(file),
        cleanup: () => rm(file, { force: true }),
      };
    },
  },
  mongodb: {
    records: 200_000,
    plugin: 'mongodb',
    async target(env, topic, label) {
      const client = new MongoClient(env.mongoUrl!);
      const db = client.db(`vs_java_${topic.replace(/[^a-z0-9]/gi, '_')}`.slice(0, 60));
      const collection = label.replace(/-/g, '_');
      return {
        // Both sides insert (mongo-kafka-connect's default is a replace-upsert by a generated _id: an
        // insert with extra work), with their default batching: one bulk write per put().
        java: {
          'connector.class': 'com.mongodb.kafka.connect.MongoSinkConnector',
          'connection.uri': env.mongoUrl!,
          database: db.databaseName,
          collection,
          topics: topic,
          'tasks.max': TASKS,
          'writemodel.strategy':
            'com.mongodb.kafka.connect.sink.writemodel.strategy.InsertOneDefaultStrategy',
        },
        sluice: {
          'connector.class': 'MongoSinkConnector',
          'connect.mongo.connection': env.mongoUrl!,
          'connect.mongo.db': db.databaseName,
          'connect.mongo.kcql': `INSERT INTO ${collection} SELECT * FROM ${topic}`,
          topics: topic,
          'tasks.max': TASKS,
        },
        // While the run goes, collStats: a count query scans the whole collection on the
        // MongoDB-compatible server (5 s at 100k documents, loading the server the sinks write to),
        // collStats answers in a few hundred ms. The exact count after the stop is a real query.
        count: async () => {
          try {
            const stats = await db.command({ collStats: collection });
            return Number((stats as { count?: number }).count ?? 0);
          } catch (e) {
            // Before the first insert the collection does not exist yet.
            if ((e as { codeName?: string }).codeName === 'NamespaceNotFound') return 0;
            throw e;
          }
        },
        pollMs: 500,
        verify: () => db.collection(collection).countDocuments(),
        cleanup: async () => {
          // The whole database (one per topic; the next run recreates it), so no empty one is left behind.
          await db.dropDatabase().catch(() => undefined);
          await client.close();
        },
      };
    },
  },
  elastic: {
    records: 200_000,
    plugin: 'camel-elasticsearch',
    unsupported: 'the Camel Elasticsearch sink is not wired into vs-java yet',
    target: () => Promise.reject(new Error('not wired')),
  },
  cassandra: {
    records: 200_000,
    plugin: 'camel-cassandra',
    unsupported: 'the Camel Cassandra sink is not wired into vs-java yet',
    target: () => Promise.reject(new Error('not wired')),
  },
  mqtt: {
    records: 200_000,
    plugin: 'camel-mqtt',
    unsupported: 'the Camel MQTT sink is not wired into vs-java yet',
    target: () => Promise.reject(new Error('not wired')),
  },
};

/** Why a sink cannot run here, or null when it can. */
function unavailable(sink: SinkName, install: KafkaConnectInstall): string | null {
  const bench = SINKS[sink];
  if (bench.plugin) {
    const state = install.plugins[bench.plugin];
    if (!state.installed) return `Java plugin ${bench.plugin} not installed: ${state.reason}`;
  }
  return bench.unsupported ?? null;
}

function every(ms: number, fn: () => void): () => void {
  const timer = setInterval(fn, ms);
  return () => clearInterval(timer);
}

/** A fresh topic of `records` 1 KB JSON records over 4 partitions, filled with a few sends in flight. */
async function fillTopic(bootstrap: string, topic: string, records: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'vs-java-fill', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  let sent = 0;
  const started = performance.now();
  const stop = every(5_000, () =>
    console.log(
      `  filling ${topic}: ${sent.toLocaleString()} / ${records.toLocaleString()} (${Math.round(sent / ((performance.now() - started) / 1000)).toLocaleString()} rec/s)`,
    ),
  );
  try {
    // 500 records of 1 KB per partition batch stay under the broker's 1 MB message.max.bytes.
    const batch = 2_000;
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < records; i += batch) {
      const messages = [];
      for (let j = i; j < Math.min(records, i + batch); j++)
        messages.push({ key: `k${j}`, value: benchRecord(j), partition: j % PARTITIONS });
      const p: Promise<void> = producer.send({ topic, acks: 1, messages }).then(() => {
        sent += messages.length;
        inFlight.delete(p);
      });
      inFlight.add(p);
      if (inFlight.size >= 4) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    stop();
    await producer.disconnect();
  }
  console.log(
    `  filled ${topic}: ${records.toLocaleString()} records in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

interface Running {
  pid: number;
  stop(): Promise<unknown>;
  output(): string;
}

async function startSubject(
  subject: 'java' | 'sluice',
  env: Env,
  name: string,
  connector: Record<string, string>,
): Promise<Running> {
  if (subject === 'java') {
    const java = await startKafkaConnect({
      bootstrapServers: env.bootstrap,
      worker: CONVERTERS,
      connector: { name, ...connector },
      dir: path.join(env.workDir, name),
    });
    return { pid: java.pid, stop: () => java.stop(), output: () => java.output() };
  }
  await mkdir(path.join(env.workDir, name), { recursive: true });
  const worker = await StandaloneWorker.start({
    worker: { 'bootstrap.servers': env.bootstrap, ...CONVERTERS },
    connectors: [{ name, ...connector }],
    dir: path.join(env.workDir, name),
    // Only the user's extra options (Node refuses --cpu-prof in NODE_OPTIONS: profile a worker with
    // `node --cpu-prof packages/core/dist/cli/main.js standalone …`).
    env: { NODE_OPTIONS: args['sluice-node-options'] },
  });
  await worker.waitUntilRunning(name, 120_000);
  return { pid: worker.pid!, stop: () => worker.stop(), output: () => worker.output() };
}

/** One timed run: process start → every record verified in the target. */
async function timedRun(
  sink: SinkName,
  subject: 'java' | 'sluice',
  round: number,
  env: Env,
  topic: string,
  records: number,
): Promise<BenchRun> {
  const label = `${subject}-r${round}`;
  const target = await SINKS[sink].target(env, topic, label);
  const name = uniqueName(`vs-java-${sink}-${label}`);
  const started = performance.now();
  const running = await startSubject(subject, env, name, subject === 'java' ? target.java : target.sluice);
  let seen = 0;
  const stopProgress = every(5_000, () =>
    console.log(
      `  ${sink} ${label}: ${seen.toLocaleString()} / ${records.toLocaleString()} verified after ${((performance.now() - started) / 1000).toFixed(0)} s`,
    ),
  );
  try {
    const deadline = started + 30 * 60_000;
    while ((seen = await target.count()) < records) {
      if (performance.now() > deadline)
        throw new Error(`${sink} ${label}: ${seen} of ${records} after 30 min`);
      await new Promise((r) => setTimeout(r, target.pollMs));
    }
    const seconds = (performance.now() - started) / 1000;
    stopProgress();
    const cpu = cpuSeconds(running.pid);
    const rss = peakRssMiB(running.pid);
    await running.stop();
    const final = await target.verify();
    if (final !== records)
      throw new Error(`${sink} ${label}: expected ${records} records in the target, found ${final}`);
    const run: BenchRun = {
      case: sink,
      subject,
      round,
      records,
      seconds,
      recordsPerSec: records / seconds,
      cpuSecondsPerMillion: (cpu / records) * 1e6,
      peakRssMiB: rss,
    };
    console.log(
      `  ${sink} ${label}: ${Math.round(run.recordsPerSec).toLocaleString()} rec/s, ${seconds.toFixed(1)} s, CPU ${cpu.toFixed(1)} s (${run.cpuSecondsPerMillion!.toFixed(1)} s/M), peak RSS ${rss.toFixed(0)} MiB`,
    );
    return run;
  } catch (e) {
    console.error(running.output().slice(-4000));
    await running.stop();
    throw e;
  } finally {
    stopProgress();
    await target.cleanup();
  }
}

function table(runs: readonly BenchRun[]): void {
  console.log('\n| sink | round | subject | records | s | records/s | CPU-s/M | peak RSS MiB |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of runs)
    console.log(
      `| ${r.case} | ${r.round} | ${r.subject} | ${r.records} | ${r.seconds.toFixed(1)} | ${Math.round(r.recordsPerSec)} | ${r.cpuSecondsPerMillion?.toFixed(1)} | ${r.peakRssMiB?.toFixed(0)} |`,
    );
}

async function main(): Promise<void> {
  const needsMongo = sinks.includes('mongodb');
  const up = await ensureServices(needsMongo ? ['kafka', 'mongodb'] : ['kafka']);
  const install = await installKafkaConnect({ write: (line) => console.log(line) });
  const env: Env = {
    bootstrap: up['kafka']!['bootstrapServers'] as string,
    mongoUrl: needsMongo ? (up['mongodb']!['url'] as string) : undefined,
    workDir: await mkdtemp(path.join(os.tmpdir(), 'sluice-vs-java-')),
  };
  const heap = `Java Connect heap and GC as Kafka's connect-standalone.sh sets them: ${[...CONNECT_HEAP_OPTS, ...CONNECT_JVM_PERFORMANCE_OPTS].join(' ')}`;
  console.log(heap);
  const notes = [
    heap,
    `machine shared with other work: load average ${os.loadavg()[0]!.toFixed(1)} at start`,
    `tasks.max=${TASKS} on both sides; String keys, schemaless JsonConverter values; ${PARTITIONS} partitions; ~1 KB records`,
    'each run is timed from process start (JVM or Node start, plugin scan, consumer group join) to the last record verified in the target; CPU and peak RSS are the whole process',
    'mongodb: both sides at their defaults for bulk size: mongo-kafka-connect one ordered bulk per put() (≤ 500 records), Sluice BATCH 100 with 4 bulks in flight, unordered',
    'targets: Sluice ≥ 1.0× records/s, ≤ 1.0× CPU-s per million records, ≤ 0.5× peak RSS of Java Kafka Connect',
  ];
  // The Java plugins test-infra could not install, whether or not this run asked for their sinks.
  for (const [plugin, state] of Object.entries(install.plugins))
    if (!state.installed) notes.push(`Java plugin ${plugin} not installed: ${state.reason}`);
  const runs: BenchRun[] = [];
  const config: Record<string, unknown> = {
    sinks,
    rounds: ROUNDS,
    partitions: PARTITIONS,
    tasksMax: TASKS,
    format: args.format,
    sluiceNodeOptions: args['sluice-node-options'],
  };
  try {
    for (const sink of sinks) {
      const why = unavailable(sink, install);
      if (why) {
        console.log(`\n## ${sink}: not run: ${why}`);
        notes.push(`${sink}: not run: ${why}`);
        continue;
      }
      const records = Number(args.records ?? SINKS[sink].records);
      config[`records.${sink}`] = records;
      console.log(`\n## ${sink}: ${records.toLocaleString()} records, ${ROUNDS} rounds of Java then Sluice`);
      const topic = uniqueName(`vs-java-${sink}`);
      await fillTopic(env.bootstrap, topic, records);
      for (let round = 1; round <= ROUNDS; round++)
        for (const subject of ['java', 'sluice'] as const)
          runs.push(await timedRun(sink, subject, round, env, topic, records));
      const admin = new Kafka({ brokers: [env.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  } finally {
    await rm(env.workDir, { recursive: true, force: true });
  }
  table(runs);
  notes.push(`load average ${os.loadavg()[0]!.toFixed(1)} at the end`);
  writeBenchResult({
    suite: 'vs-java',
    config,
    runs,
    compare: [['sluice', 'java']],
    versions: {
      java: kafkaConnectJavaVersion(),
      kafka: install.kafkaVersion,
      'mongo-kafka-connect': install.plugins.mongodb.installed
        ? MONGO_KAFKA_CONNECT_VERSION
        : 'not installed',
    },
    notes,
  });
  const ratios = ratiosOf(mediansOf(runs), 'sluice', 'java');
  console.log(
    '\n| sink | records/s Sluice ÷ Java (≥ 1.0) | CPU-s/M Sluice ÷ Java (≤ 1.0) | peak RSS Sluice ÷ Java (≤ 0.5) |',
  );
  console.log('|---|---|---|---|');
  for (const [sink, r] of Object.entries(ratios))
    console.log(
      `| ${sink} | ${r['sluice/java.recordsPerSec']?.toFixed(2)} | ${r['sluice/java.cpuSecondsPerMillion']?.toFixed(2)} | ${r['sluice/java.peakRssMiB']?.toFixed(2)} |`,
    );
}

await main();
