// `npm run bench -- mqtt`: end-to-end records/s from a pre-filled topic of ~1 KB JSON records to
// Mosquitto through `sluice standalone` and @sluice/sink-mqtt, beside the raw publish rate of the mqtt
// client the sink uses, with the same payloads, measured in the same run. Both are timed on the
// publishing side: raw from the first publish to the last acknowledgement (PUBACK for QoS 1, socket
// write for QoS 0); the sink from its first message on the broker to the moment the connector's
// committed offsets reach the end of the topic (offsets move only once the broker acknowledged). A
// subscriber counts what the broker delivers, as a check (Mosquitto drops messages for a subscriber
// that falls more than its queue behind, so that count may be short of the total).
// QoS 0 (target >= 0.8x raw) and QoS 1 with the ≥ 9 pass-through (`SELECT *` of JSON text), plus QoS 0
// with a ≤ 8 JSON projection. Prints the worker's peak RSS. BENCH_RECORDS (default 100000) sets the
// number of records; BENCH_MAX_IN_FLIGHT sets connect.mqtt.max.in.flight (default: the sink's).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, uniqueName, waitFor } from '@sluice/test-utils';
import type * as Mqtt from 'mqtt';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The client the sink uses (its own dependency), not whatever version is hoisted to the root.
const mqtt = createRequire(path.join(root, 'packages/sink-mqtt/package.json'))('mqtt') as typeof Mqtt;

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
/** Interleaved repetitions; the median is reported (the machine is shared, single runs are noisy). */
const REPS = Number(process.env.BENCH_REPS ?? 3);
/** The sink's default window (connect.mqtt.max.in.flight) and a larger one, for the raw client. */
const RAW_WINDOWS = [100, 1000];
/** A subscriber that has seen nothing new for this long has seen all it will. */
const STALL_MS = 5_000;
const COMMIT_INTERVAL_MS = 100;

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
  const published = performance.now();
  await counter.waitFor(payloads.length);
  await client.endAsync();
  await counter.close();
  return { rate: payloads.length / ((published - started) / 1000), delivered: counter.count };
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

interface EndToEnd {
  label: string;
  /** First message on the broker → all offsets committed. */
  rate: number;
  /** Worker start → all offsets committed. */
  withStartup: number;
  delivered: number;
  rssMiB: number;
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
    worker: {
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.flush.interval.ms': String(COMMIT_INTERVAL_MS),
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
        ...(process.env.BENCH_MAX_IN_FLIGHT
          ? { 'connect.mqtt.max.in.flight': process.env.BENCH_MAX_IN_FLIGHT }
          : {}),
      },
    ],
  });
  let committed: number;
  try {
    committed = await waitForCommitted(bootstrap, `connect-${name}`, topic, RECORDS);
    await counter.waitFor(RECORDS);
  } catch (e) {
    console.error(worker.output().slice(-4000));
    throw e;
  } finally {
    await counter.close();
  }
  const rssMiB = worker.pid ? peakRssMiB(worker.pid) : NaN;
  await worker.stop();
  return {
    label,
    rate: RECORDS / ((committed - counter.first) / 1000),
    withStartup: RECORDS / ((committed - started) / 1000),
    delivered: counter.count,
    rssMiB,
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
    { qos: 0 as const, label: 'QoS 0, SELECT * of JSON text (pass-through)', select: '*', converter: text },
    { qos: 1 as const, label: 'QoS 1, SELECT * of JSON text (pass-through)', select: '*', converter: text },
    {
      qos: 0 as const,
      label: 'QoS 0, SELECT id, sensor, reading.temperature, payload of schemaless JSON (projection)',
      select: 'id, sensor, reading.temperature AS t, payload',
      converter: json,
    },
  ];

  // Raw client and worker runs alternate, so that both see the same machine load.
  const raws: Record<0 | 1, { window: number; rate: number; delivered: number }[]> = { 0: [], 1: [] };
  const runs: EndToEnd[][] = settings.map(() => []);
  for (let rep = 1; rep <= REPS; rep++) {
    for (const qos of [0, 1] as const) {
      let best = { window: 0, rate: 0, delivered: 0 };
      for (const window of RAW_WINDOWS) {
        const r = await rawPublish(url, payloads, qos, window);
        console.log(
          `  [${rep}/${REPS}] raw mqtt.js QoS ${qos} window ${window}: ${r.rate.toFixed(0)} msg/s (subscriber got ${r.delivered}/${RECORDS})`,
        );
        if (r.rate > best.rate) best = { window, ...r };
      }
      raws[qos].push(best);
    }
    for (const [i, s] of settings.entries()) {
      const run = await endToEnd(s.label, bootstrap, url, topic, s.qos, s.select, s.converter);
      console.log(
        `  [${rep}/${REPS}] sluice ${s.label}: ${run.rate.toFixed(0)} records/s, peak RSS ${run.rssMiB.toFixed(0)} MiB`,
      );
      runs[i]!.push(run);
    }
  }

  const raw = { 0: median(raws[0], (r) => r.rate), 1: median(raws[1], (r) => r.rate) };
  console.log('');
  console.log(`median of ${REPS} runs`);
  console.log('| measure | records/s | vs raw (same QoS) | subscriber got | worker peak RSS |');
  console.log('|---|---|---|---|---|');
  for (const qos of [0, 1] as const) {
    const r = raw[qos];
    console.log(
      `| raw mqtt.js publish, QoS ${qos}, window ${r.window} | ${r.rate.toFixed(0)} | 1.00x | ${r.delivered} | |`,
    );
  }
  const medians = runs.map((r) => median(r, (x) => x.rate));
  for (const [i, run] of medians.entries()) {
    const qos = settings[i]!.qos;
    const rss = Math.max(...runs[i]!.map((r) => r.rssMiB));
    console.log(
      `| sluice ${run.label} | ${run.rate.toFixed(0)} | ${(run.rate / raw[qos].rate).toFixed(2)}x | ${run.delivered} | ${rss.toFixed(0)} MiB |`,
    );
  }
  for (const run of medians)
    console.log(`  ${run.label}, including worker start-up: ${run.withStartup.toFixed(0)} records/s`);
  console.log(
    `ratio QoS 0 pass-through / raw: ${(medians[0]!.rate / raw[0].rate).toFixed(2)}x (target >= 0.8x)`,
  );
  console.log(`ratio QoS 1 pass-through / raw: ${(medians[1]!.rate / raw[1].rate).toFixed(2)}x`);
}

function median<T>(items: readonly T[], by: (t: T) => number): T {
  return [...items].sort((a, b) => by(a) - by(b))[Math.floor(items.length / 2)]!;
}

await main();
