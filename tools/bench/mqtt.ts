// `npm run bench -- mqtt`: end-to-end records/s from a pre-filled topic of ~1 KB JSON records to
// Mosquitto through `sluice standalone` and @sluice/sink-mqtt, beside the raw publish rate of the mqtt
// client the sink uses, with the same payloads and QoS to the same broker, measured in the same run.
// Two rates for each: 'published' on the publishing side, raw from the first publish to the last
// PUBACK (QoS 1) or to the socket having handed every byte to the kernel (QoS 0), the sink from its
// first message on the broker to the moment the connector's committed offsets reach the end of the
// topic; and 'delivered', what a subscriber received per second between its first and last message,
// the same measure for both. Mosquitto drops QoS 0 messages for a subscriber that falls more than its
// queue (max_queued_messages) behind, so a publisher faster than delivery shows a short count.
// QoS 0 (target >= 0.8x raw) and QoS 1 with the ≥ 9 pass-through (`SELECT *` of JSON text), plus QoS 0
// with a ≤ 8 JSON projection. Prints the worker's peak RSS. BENCH_RECORDS (default 300000) sets the
// number of records; BENCH_MAX_IN_FLIGHT sets connect.mqtt.max.in.flight (default 1000, the raw
// client's larger window);
// Results: bench/results/mqtt-<UTC time>.json (published rates; delivered ones in its notes).
// BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each worker into <dir> (open it in Chrome DevTools).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, uniqueName, waitFor } from '@sluice/test-utils';
import type * as Mqtt from 'mqtt';
import { type BenchRun, writeBenchResult } from './_results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The client the sink uses (its own dependency), not whatever version is hoisted to the root.
const mqtt = createRequire(path.join(root, 'packages/sink-mqtt/package.json'))('mqtt') as typeof Mqtt;

/**
 * Enough records for a few seconds of steady publishing: the sink's measure ends at the last offset
 * commit (up to ~120 ms after the last message here), which weighs ~8 % in a run of 100 000 records
 * and ~3 % in one of 300 000.
 */
const RECORDS = Number(process.env.BENCH_RECORDS ?? 300_000);
/** Interleaved repetitions; the median is reported (the machine is shared, single runs are noisy). */
const REPS = Number(process.env.BENCH_REPS ?? 3);
/** The sink's default window (connect.mqtt.max.in.flight) and a larger one, for the raw client. */
const RAW_WINDOWS = [100, 1000];
/** A subscriber that has seen nothing new for this long has seen all it will. */
const STALL_MS = 5_000;
const COMMIT_INTERVAL_MS = 100;
/**
 * Kafka's consumer defaults (1 MiB per partition, 500 records per put): the engine fetches ahead while
 * put() runs, so larger fetches no longer pay (they only cost memory). BENCH_LARGE_FETCHES=1 runs with
 * 8 MiB per partition, 50 MiB per fetch and 2000 records per put() instead.
 */
const CONSUMER_OVERRIDES: Record<string, string> = process.env.BENCH_LARGE_FETCHES
  ? {
      'consumer.override.max.poll.records': '2000',
      'consumer.override.max.partition.fetch.bytes': '8388608',
      'consumer.override.fetch.max.bytes': '52428800',
    }
  : {};

/** A ~1 KB JSON document: a few typed fields, a nested object, an array and padding text. */
function record(i: number): string {
  return JSON.stringify({
    id: i,
    sensor: `sensor-${i % 1000}`,
    ts: 1_700_000_000_000 + i,
    reading: { temperature: 20 + (i % 10) / 10, humidity: 40 + (i % 7), ok: i % 2 === 0 },
    tags: ['bench', `shard-${i % 16}`, 'json'],
    payload: 'x'.repeat(820),
  });
}

/** Counts what the broker delivers on `topic`, with the times of the first and the last message. */
class Counter {
  count = 0;
  first = 0;
  last = 0;
  private constructor(private readonly client: Mqtt.MqttClient) {}

  static async start(url: string, topic: string, qos: 0 | 1): Promise<Counter> {
    const client = await mqtt.connectAsync(url, { clientId: uniqueName('bench-sub') });
    const counter = new Counter(client);
    client.on('message', () => {
      const now = performance.now();
      if (counter.count++ === 0) counter.first = now;
      counter.last = now;
    });
    await client.subscribeAsync(topic, { qos });
    return counter;
  }

  /** Waits for `n` messages, or until no message came for STALL_MS (QoS 0 may lose some). */
  async waitFor(n: number): Promise<void> {
    let seen = -1;
    let since = performance.now();
    await waitFor(
      () => {
        if (this.count >= n) return true;
        if (this.count !== seen) {
          seen = this.count;
          since = performance.now();
        }
        return performance.now() - since > STALL_MS;
      },
      { what: `${n} MQTT messages`, timeoutMs: 30 * 60_000, intervalMs: 100 },
    );
  }

  /** Messages per second between the first and the last delivery. */
  rate(): number {
    return this.count > 1 ? this.count / ((this.last - this.first) / 1000) : NaN;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** The raw client: publishes every payload with at most `window` unacknowledged, as fast as it can. */
async function rawPublish(url: string, payloads: readonly Buffer[], qos: 0 | 1, window: number) {
  const topic = uniqueName('bench/raw');
  const counter = await Counter.start(url, topic, qos);
  const client = await mqtt.connectAsync(url, { clientId: uniqueName('bench-raw') });
  // The sink's socket setting (see packages/sink-mqtt/src/client.ts), so that both run at their best.
  (client.stream as Partial<Socket>).setNoDelay?.(true);
  const sampler = new CpuSampler({
    'bench (publisher + subscriber)': process.pid,
    mosquitto: pidOf('/usr/sbin/mosquitto'),
  });
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let inFlight = 0;
    const pump = () => {
      while (inFlight < window && next < payloads.length) {
        inFlight++;
        client.publish(topic, payloads[next++]!, { qos }, (err) => {
          if (err) return reject(err);
          inFlight--;
          if (next === payloads.length && inFlight === 0) resolve();
          else setImmediate(pump);
        });
      }
    };
    pump();
  });
  // A QoS 0 callback means 'accepted by the socket': wait until the socket has written it all.
  const stream = client.stream as Partial<Socket>;
  while ((stream.writableLength ?? 0) > 0) await new Promise((r) => setImmediate(r));
  const published = performance.now();
  await counter.waitFor(payloads.length);
  const cpu = sampler.between(started, published);
  sampler.stop();
  await client.endAsync();
  await counter.close();
  return {
    rate: payloads.length / ((published - started) / 1000),
    delivered: counter.count,
    deliveredRate: counter.rate(),
    cpu,
  };
}

/**
 * A preload that profiles the worker until it exits (Node 20 does not take --cpu-prof in NODE_OPTIONS).
 * The in-thread inspector session answers synchronously, so the profile can be written from 'exit'.
 */
function cpuProfilePreload(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'preload.cjs');
  writeFileSync(
    file,
    `const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (err, { profile }) => {
    if (!err) writeFileSync(${JSON.stringify(dir)} + '/worker-' + process.pid + '.cpuprofile', JSON.stringify(profile));
  });
});
`,
  );
  return file;
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Samples the CPU time of the processes that take part (this process: publisher and/or subscriber;
 * the worker; Mosquitto; the Kafka broker) every 50 ms, so that the CPU spent between two moments
 * can be read afterwards. The machine has two cores: when the raw publisher, Mosquitto and the
 * subscriber already keep both busy, whatever else runs (the sink's Kafka fetches) slows them down.
 */
class CpuSampler {
  private readonly samples: { t: number; cpu: Record<string, number> }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: Record<string, number | undefined>) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 50);
  }

  private sample(): void {
    const cpu: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) if (pid) cpu[name] = cpuSeconds(pid);
    this.samples.push({ t: performance.now(), cpu });
  }

  /** CPU seconds per process between two moments (nearest samples). */
  between(from: number, to: number): Record<string, number> {
    this.sample();
    const at = (t: number) =>
      this.samples.reduce((best, s) => (Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best));
    const a = at(from).cpu;
    const b = at(to).cpu;
    const out: Record<string, number> = {};
    for (const name of Object.keys(b)) out[name] = b[name]! - (a[name] ?? b[name]!);
    return out;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function pidOf(pattern: string): number | undefined {
  try {
    const out = execFileSync('pgrep', ['-o', '-f', pattern], { encoding: 'utf8' }).trim();
    return out ? Number(out) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU-seconds per 100k messages, by process: where a 2-core machine's time goes. */
function cpuPer100k(cpu: Record<string, number>, messages: number): string {
  const scale = 100_000 / messages;
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  return [...Object.entries(cpu), ['total', total] as const]
    .map(([name, sec]) => `${name} ${(sec * scale).toFixed(2)}`)
    .join(', ');
}

interface EndToEnd {
  label: string;
  /** First message on the broker → all offsets committed. */
  rate: number;
  /** Worker start → all offsets committed. */
  withStartup: number;
  delivered: number;
  deliveredRate: number;
  rssMiB: number;
  cpu: Record<string, number>;
}

/** Resolves when the consumer group has committed `total` records of `topic` (one partition). */
async function waitForCommitted(
  bootstrap: string,
  group: string,
  topic: string,
  total: number,
): Promise<number> {
  const admin = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    let done = 0;
    await waitFor(
      async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        if (Number(offsets?.partitions[0]?.offset ?? -1) < total) return false;
        done = performance.now();
        return true;
      },
      { what: `${total} committed offsets of ${group}`, timeoutMs: 30 * 60_000, intervalMs: 20 },
    );
    return done;
  } finally {
    await admin.disconnect();
  }
}

async function endToEnd(
  label: string,
  bootstrap: string,
  url: string,
  topic: string,
  qos: 0 | 1,
  kcqlSelect: string,
  valueConverter: Record<string, string>,
): Promise<EndToEnd> {
  const target = uniqueName('bench/e2e');
  const name = uniqueName('bench-mqtt');
  const counter = await Counter.start(url, target, qos);
  const started = performance.now();
  const worker = await StandaloneWorker.start({
    ...(process.env.BENCH_CPU_PROF
      ? { env: { NODE_OPTIONS: `--require=${cpuProfilePreload(process.env.BENCH_CPU_PROF)}` } }
      : {}),
    worker: {
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.flush.interval.ms': String(COMMIT_INTERVAL_MS),
      ...(process.env.BENCH_CONSUMER_THREAD
        ? { 'sluice.consumer.thread': process.env.BENCH_CONSUMER_THREAD }
        : {}),
      ...valueConverter,
    },
    connectors: [
      {
        name,
        'connector.class': 'MqttSinkConnector',
        topics: topic,
        'connect.mqtt.hosts': url,
        'connect.mqtt.service.quality': String(qos),
        'connect.mqtt.kcql': `INSERT INTO ${target} SELECT ${kcqlSelect} FROM ${topic}`,
        ...CONSUMER_OVERRIDES,
        'connect.mqtt.max.in.flight': process.env.BENCH_MAX_IN_FLIGHT ?? '1000',
      },
    ],
  });
  let committed: number;
  const sampler = new CpuSampler({
    'bench (subscriber)': process.pid,
    worker: worker.pid,
    mosquitto: pidOf('/usr/sbin/mosquitto'),
    kafka: pidOf('kafka.Kafka'),
  });
  let cpu: Record<string, number>;
  try {
    committed = await waitForCommitted(bootstrap, `connect-${name}`, topic, RECORDS);
    await counter.waitFor(RECORDS);
    cpu = sampler.between(counter.first, committed);
  } catch (e) {
    console.error(worker.output().slice(-4000));
    throw e;
  } finally {
    sampler.stop();
    await counter.close();
  }
  const rssMiB = worker.pid ? peakRssMiB(worker.pid) : NaN;
  await worker.stop();
  return {
    label,
    rate: RECORDS / ((committed - counter.first) / 1000),
    withStartup: RECORDS / ((committed - started) / 1000),
    delivered: counter.count,
    deliveredRate: counter.rate(),
    rssMiB,
    cpu,
  };
}

async function main(): Promise<void> {
  const services = await ensureServices(['kafka', 'mosquitto']);
  const bootstrap = services['kafka']!['bootstrapServers'] as string;
  const url = services['mosquitto']!['url'] as string;
  const values = Array.from({ length: RECORDS }, (_, i) => record(i));
  const payloads = values.map((v) => Buffer.from(v));
  console.log(`records: ${RECORDS} of ${values[0]!.length} bytes; broker ${url}`);

  const kafka = new KafkaTestClient(bootstrap);
  const topic = uniqueName('bench-mqtt');
  try {
    await kafka.createTopic(topic);
    const filled = performance.now();
    // 500 records of 1 KB per request stays under the broker's 1 MB message.max.bytes.
    await kafka.produce(
      topic,
      values.map((value) => ({ value })),
      500,
    );
    console.log(`  topic filled in ${((performance.now() - filled) / 1000).toFixed(1)} s`);
  } finally {
    await kafka.close();
  }
  const text = { 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' };
  const json = {
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  };
  const settings = [
    {
      qos: 0 as const,
      case: 'qos0 pass-through',
      label: 'QoS 0, SELECT * of JSON text (pass-through)',
      select: '*',
      converter: text,
    },
    {
      qos: 1 as const,
      case: 'qos1 pass-through',
      label: 'QoS 1, SELECT * of JSON text (pass-through)',
      select: '*',
      converter: text,
    },
    {
      qos: 0 as const,
      case: 'qos0 projection',
      label: 'QoS 0, SELECT id, sensor, reading.temperature, payload of schemaless JSON (projection)',
      select: 'id, sensor, reading.temperature AS t, payload',
      converter: json,
    },
  ];

  // Raw client and worker runs alternate, so that both see the same machine load.
  type Raw = {
    window: number;
    rate: number;
    delivered: number;
    deliveredRate: number;
    cpu: Record<string, number>;
  };
  // Per repetition, the raw window with the best published rate, and the one with the best delivered rate.
  const raws: Record<0 | 1, Raw[]> = { 0: [], 1: [] };
  const rawsDelivered: Record<0 | 1, Raw[]> = { 0: [], 1: [] };
  const loadBefore = loadavg();
  const runs: EndToEnd[][] = settings.map(() => []);
  for (let rep = 1; rep <= REPS; rep++) {
    for (const qos of [0, 1] as const) {
      const none: Raw = { window: 0, rate: 0, delivered: 0, deliveredRate: 0, cpu: {} };
      let best = none;
      let bestDelivered = none;
      for (const window of RAW_WINDOWS) {
        const r = await rawPublish(url, payloads, qos, window);
        console.log(
          `  [${rep}/${REPS}] raw mqtt.js QoS ${qos} window ${window}: ${r.rate.toFixed(0)} msg/s published, ${r.deliveredRate.toFixed(0)} msg/s delivered (subscriber got ${r.delivered}/${RECORDS}); CPU s per 100k: ${cpuPer100k(r.cpu, RECORDS)}`,
        );
        if (r.rate > best.rate) best = { window, ...r };
        if (r.deliveredRate > bestDelivered.deliveredRate) bestDelivered = { window, ...r };
      }
      raws[qos].push(best);
      rawsDelivered[qos].push(bestDelivered);
    }
    for (const [i, s] of settings.entries()) {
      const run = await endToEnd(s.label, bootstrap, url, topic, s.qos, s.select, s.converter);
      console.log(
        `  [${rep}/${REPS}] sluice ${s.label}: ${run.rate.toFixed(0)} records/s published, ${run.deliveredRate.toFixed(0)} msg/s delivered (subscriber got ${run.delivered}/${RECORDS}), peak RSS ${run.rssMiB.toFixed(0)} MiB; CPU s per 100k: ${cpuPer100k(run.cpu, RECORDS)}`,
      );
      runs[i]!.push(run);
    }
  }

  const loadAfter = loadavg();
  const raw = { 0: median(raws[0], (r) => r.rate), 1: median(raws[1], (r) => r.rate) };
  const rawDelivered = {
    0: median(rawsDelivered[0], (r) => r.deliveredRate),
    1: median(rawsDelivered[1], (r) => r.deliveredRate),
  };
  const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
  console.log('');
  console.log(`median of ${REPS} runs (each column's median on its own)`);
  console.log('| measure | published/s | vs raw | delivered/s | vs raw | subscriber got | worker peak RSS |');
  console.log('|---|---|---|---|---|---|---|');
  for (const qos of [0, 1] as const) {
    const r = raw[qos];
    const d = rawDelivered[qos];
    console.log(
      `| raw mqtt.js publish, QoS ${qos}, window ${r.window} / ${d.window} | ${fmt(r.rate)} | 1.00x | ${fmt(d.deliveredRate)} | 1.00x | ${d.delivered} | |`,
    );
  }
  const ratios: string[] = [];
  for (const [i, s] of settings.entries()) {
    const run = median(runs[i]!, (x) => x.rate);
    const delivered = median(runs[i]!, (x) => x.deliveredRate);
    const rss = Math.max(...runs[i]!.map((r) => r.rssMiB));
    const vsPublished = run.rate / raw[s.qos].rate;
    const vsDelivered = delivered.deliveredRate / rawDelivered[s.qos].deliveredRate;
    console.log(
      `| sluice ${s.label} | ${fmt(run.rate)} | ${vsPublished.toFixed(2)}x | ${fmt(delivered.deliveredRate)} | ${vsDelivered.toFixed(2)}x | ${delivered.delivered} | ${rss.toFixed(0)} MiB |`,
    );
    console.log(`  (including worker start-up: ${fmt(run.withStartup)} records/s)`);
    if (i < 2)
      ratios.push(
        `QoS ${s.qos} pass-through / raw: ${vsPublished.toFixed(2)}x published, ${vsDelivered.toFixed(2)}x delivered`,
      );
  }
  for (const r of ratios) console.log(`ratio ${r}`);
  console.log('(target for QoS 0: >= 0.8x)');
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`load average before: ${load(loadBefore)}, after: ${load(loadAfter)}`);
  // Each setting is a case with the raw client of its QoS (the best window of that round) beside it.
  const kept: BenchRun[] = [];
  for (const [i, s] of settings.entries()) {
    for (let round = 1; round <= REPS; round++) {
      const r = raws[s.qos][round - 1]!;
      const e = runs[i]![round - 1]!;
      const base = { case: s.case, round, records: RECORDS };
      kept.push({ ...base, subject: 'raw', seconds: RECORDS / r.rate, recordsPerSec: r.rate });
      kept.push({
        ...base,
        subject: 'sluice',
        seconds: RECORDS / e.rate,
        recordsPerSec: e.rate,
        ...(e.cpu['worker'] !== undefined ? { cpuSecondsPerMillion: (e.cpu['worker'] / RECORDS) * 1e6 } : {}),
        ...(Number.isFinite(e.rssMiB) ? { peakRssMiB: e.rssMiB } : {}),
      });
    }
  }
  writeBenchResult({
    suite: 'mqtt',
    config: {
      records: RECORDS,
      recordBytes: values[0]!.length,
      rounds: REPS,
      rawWindows: RAW_WINDOWS.join(','),
      ...CONSUMER_OVERRIDES,
    },
    runs: kept,
    compare: [['sluice', 'raw']],
    notes: [
      'Published rates: raw mqtt.js from the first publish to the last PUBACK (QoS 1) or the socket drained (QoS 0), best of the windows per round; ' +
        'sluice from its first message on the broker to the committed offsets reaching the end of the topic. Target for QoS 0: >= 0.8x raw.',
      ...ratios.map((r) => `Median ratio, ${r}.`),
      `Load average before ${load(loadBefore)}, after ${load(loadAfter)}.`,
    ],
  });
}

function median<T>(items: readonly T[], by: (t: T) => number): T {
  return [...items].sort((a, b) => by(a) - by(b))[Math.floor(items.length / 2)]!;
}

await main();
