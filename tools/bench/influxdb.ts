// `npm run bench -- influxdb`: end-to-end records/s from a pre-filled topic of ~1 KB JSON records into
// InfluxDB through `sluice standalone` and @sluice/sink-influxdb, beside the raw write rate of the
// official client's write API sending the same points (the same line protocol, the same gzip setting)
// to the same server at its best batch size, measured in the same run. Raw and end-to-end runs
// alternate (BENCH_REPS pairs, default 3); the median of the per-pair ratios is reported (target >=
// 0.8x), with the worker's CPU µs per record and peak RSS, and InfluxDB's own CPU µs per point.
// The result is written to bench/results/influxdb-<UTC time>.json.
// BENCH_RECORDS (default 100000) sets the number of records; BENCH_PUT_REQUESTS (default 4, the sink's
// max.in.flight) how many write requests of the best batch size one put holds (max.poll.records) and
// sends at once; BENCH_GZIP=true compresses the write bodies on both sides (default false, the sink's
// default).
//
// InfluxDB acknowledges a write once the points are in its WAL and cache; compacting them into TSM
// files comes seconds later and costs more CPU than the write itself. Before every timed run the
// benchmark waits until InfluxDB is idle again, so that neither side pays for the other's compaction.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices, servicesStatus } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, uniqueName } from '@sluice/test-utils';
import type * as Influx from '@influxdata/influxdb-client';
import { measureUntilCommitted, median, rateAfterFirstCommit } from './_measure.js';
import { alternatedRuns, writeBenchResult } from './_results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The client the sink uses (its own dependency), not whatever version is hoisted to the root.
const { InfluxDB, escape } = createRequire(path.join(root, 'packages/sink-influxdb/package.json'))(
  '@influxdata/influxdb-client',
) as typeof Influx;

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const BATCH_SIZES = [1000, 5000, 10000];
const PROBE_RECORDS = Math.min(RECORDS, 20_000);
const PUT_REQUESTS = Number(process.env.BENCH_PUT_REQUESTS ?? 4);
const GZIP = process.env.BENCH_GZIP === 'true';
// Bodies above this many bytes are gzip-compressed (both sides); never when GZIP is off.
const GZIP_THRESHOLD = GZIP ? 1000 : -1;
const T0 = 1_700_000_000_000;

/** A ~1 KB JSON record: a tag, typed fields, a nested object, an array and padding text. */
function record(i: number): string {
  return JSON.stringify({
    id: i,
    sensor: `sensor-${i % 1000}`,
    ts: T0 + i,
    // Never a whole number, so schemaless JSON keeps it a float.
    reading: { temperature: 20.05 + (i % 10) / 10, humidity: 40 + (i % 7), ok: i % 2 === 0 },
    tags: ['bench', `shard-${i % 16}`, 'json'],
    payload: 'x'.repeat(800),
  });
}

/** The KCQL of the end-to-end runs and the line protocol it gives, built here for the raw runs. */
const kcql = (topic: string, measurement: string) =>
  `INSERT INTO ${measurement} SELECT id, reading.temperature AS temperature, reading.humidity AS humidity, ` +
  `reading.ok AS ok, payload FROM ${topic} WITHTIMESTAMP ts WITHTAG (sensor)`;

function line(measurement: string, json: string): string {
  const r = JSON.parse(json) as {
    id: number;
    sensor: string;
    ts: number;
    reading: { temperature: number; humidity: number; ok: boolean };
    payload: string;
  };
  return (
    `${escape.measurement(measurement)},sensor=${escape.tag(r.sensor)} id=${r.id}i,temperature=${r.reading.temperature},` +
    `humidity=${r.reading.humidity}i,ok=${r.reading.ok},payload=${escape.quoted(r.payload)} ${r.ts}`
  );
}

async function rawWrite(
  influx: Influx.InfluxDB,
  bucket: string,
  lines: readonly string[],
  batchSize: number,
) {
  const failures: Error[] = [];
  const api = influx.getWriteApi('bench', bucket, 'ms', {
    batchSize,
    flushInterval: 0,
    maxRetries: 0,
    // The client compresses bodies larger than the threshold; "never" is a threshold no body reaches.
    gzipThreshold: GZIP_THRESHOLD < 0 ? Number.MAX_SAFE_INTEGER : GZIP_THRESHOLD,
    maxBufferLines: lines.length + batchSize,
    // close() resolves even when writes failed; a failed write must fail the run, not count as written.
    writeFailed: (error) => {
      failures.push(error);
    },
  });
  const started = performance.now();
  api.writeRecords(lines as string[]);
  await api.close();
  const rate = lines.length / ((performance.now() - started) / 1000);
  if (failures.length > 0) {
    throw new Error(`the raw write API failed ${failures.length} writes: ${failures[0]!.message}`);
  }
  return rate;
}

/** User+system CPU seconds of a local process (the test-infra InfluxDB), NaN when it cannot be read. */
function processCpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Waits until InfluxDB used less than a tenth of a core over the last second (its compactions done),
 * at most 60 s. Returns the CPU seconds it used meanwhile.
 */
async function settle(pid: number | undefined): Promise<number> {
  const start = processCpuSeconds(pid);
  if (Number.isNaN(start)) return NaN;
  const deadline = performance.now() + 60_000;
  let last = start;
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = processCpuSeconds(pid);
    if (now - last < 0.1) break;
    last = now;
  }
  return processCpuSeconds(pid) - start;
}

/** Runs `timed` once InfluxDB is idle; adds InfluxDB's CPU during it and its compaction after it, per point. */
async function withInfluxCpu<T extends object>(
  pid: number | undefined,
  points: number,
  timed: () => Promise<T>,
): Promise<T & { influxCpuMicrosPerPoint: number }> {
  await settle(pid);
  const before = processCpuSeconds(pid);
  const result = await timed();
  const during = processCpuSeconds(pid) - before;
  const after = await settle(pid);
  return { ...result, influxCpuMicrosPerPoint: ((during + after) / points) * 1e6 };
}

async function influxQl(url: string, db: string, q: string): Promise<unknown> {
  const response = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q, db }) });
  if (!response.ok) throw new Error(`InfluxQL ${q}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function count(url: string, db: string, measurement: string): Promise<number> {
  const body = (await influxQl(url, db, `SELECT count(id) FROM "${measurement}"`)) as {
    results: { series?: { values: [string, number][] }[] }[];
  };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

interface E2eRun {
  rate: number;
  cpuMicrosPerRecord: number;
  peakRssMiB: number;
}

async function endToEnd(
  bootstrap: string,
  kafka: KafkaTestClient,
  topic: string,
  url: string,
  db: string,
  measurement: string,
  batchPoints: number,
): Promise<E2eRun> {
  const name = uniqueName('bench-influx');
  // One put can only send what the consumer fetched: room for PUT_REQUESTS requests of the best size.
  const perPut = batchPoints * PUT_REQUESTS;
  const fetchBytes = String(Math.max(1_048_576, perPut * 1100));
  const worker = await StandaloneWorker.start({
    worker: {
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'offset.flush.interval.ms': '250',
    },
    connectors: [
      {
        name,
        'connector.class': 'InfluxSinkConnector',
        topics: topic,
        'connect.influx.url': url,
        'connect.influx.db': db,
        'connect.influx.kcql': kcql(topic, measurement),
        'connect.influx.batch.points': String(batchPoints),
        'connect.influx.max.in.flight': String(PUT_REQUESTS),
        'connect.influx.gzip.threshold': String(GZIP_THRESHOLD),
        'consumer.override.max.poll.records': String(perPut),
        'consumer.override.max.partition.fetch.bytes': fetchBytes,
        'consumer.override.fetch.max.bytes': fetchBytes,
      },
    ],
  });
  // Progress from the committed offsets: committed only after InfluxDB acknowledged the points.
  const run = await measureUntilCommitted(worker, kafka, {
    group: `connect-${name}`,
    topic,
    records: RECORDS,
    intervalMs: 100,
  });
  await worker.stop();
  const written = await count(url, db, measurement);
  if (written !== RECORDS) throw new Error(`expected ${RECORDS} points in ${measurement}, found ${written}`);
  // From the first commit, counting only the records committed after it; the worker's start is not counted.
  return {
    rate: rateAfterFirstCommit(run),
    // The worker's CPU over the whole run (every record's conversion and write), per record.
    cpuMicrosPerRecord: (run.cpuSeconds / RECORDS) * 1e6,
    peakRssMiB: run.peakRssMiB,
  };
}

async function main(): Promise<void> {
  const services = await ensureServices(['kafka', 'influxdb']);
  const bootstrap = services['kafka']!['bootstrapServers'] as string;
  const url = services['influxdb']!['url'] as string;
  // test-infra's server runs here: its pid tells its CPU.
  const influxPid = (await servicesStatus(['influxdb']))[0]?.pid as number | undefined;
  const db = uniqueName('bench').replace(/-/g, '_');
  const influx = new InfluxDB({ url, timeout: 60_000 });
  const kafka = new KafkaTestClient(bootstrap);
  const values = Array.from({ length: RECORDS }, (_, i) => record(i));
  console.log(`records: ${RECORDS} of ${values[0]!.length} bytes; InfluxDB ${url}; database ${db}`);
  await influxQl(url, db, `CREATE DATABASE "${db}"`);
  const bucket = `${db}/autogen`;

  try {
    let best = { batch: BATCH_SIZES[0]!, rate: 0 };
    for (const batch of BATCH_SIZES) {
      const sample = values.slice(0, PROBE_RECORDS).map((v) => line(`probe_${batch}`, v));
      await settle(influxPid);
      const rate = await rawWrite(influx, bucket, sample, batch);
      console.log(`  raw probe writeApi batchSize=${batch}: ${rate.toFixed(0)} points/s`);
      if (rate > best.rate) best = { batch, rate };
    }

    const topic = uniqueName('bench-influx');
    await kafka.createTopic(topic);
    const filled = performance.now();
    await kafka.produce(
      topic,
      values.map((value) => ({ value })),
      500,
    );
    console.log(`  topic filled in ${((performance.now() - filled) / 1000).toFixed(1)} s`);

    type Timed<T> = T & { influxCpuMicrosPerPoint: number };
    const pairs: { raw: Timed<{ rate: number }>; e2e: Timed<E2eRun>; ratio: number }[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const rawLines = values.map((v) => line(`raw_${rep}`, v));
      const raw = await withInfluxCpu(influxPid, RECORDS, async () => ({
        rate: await rawWrite(influx, bucket, rawLines, best.batch),
      }));
      const e2e = await withInfluxCpu(influxPid, RECORDS, () =>
        endToEnd(bootstrap, kafka, topic, url, db, `e2e_${rep}`, best.batch),
      );
      pairs.push({ raw, e2e, ratio: e2e.rate / raw.rate });
      console.log(
        `  pair ${rep + 1}: raw ${raw.rate.toFixed(0)} points/s, sluice ${e2e.rate.toFixed(0)} records/s, ` +
          `ratio ${(e2e.rate / raw.rate).toFixed(2)}x, worker ${e2e.cpuMicrosPerRecord.toFixed(0)} µs CPU/record, peak RSS ${e2e.peakRssMiB.toFixed(0)} MiB; ` +
          `InfluxDB ${raw.influxCpuMicrosPerPoint.toFixed(0)} / ${e2e.influxCpuMicrosPerPoint.toFixed(0)} µs CPU/point (raw / sluice, compaction included)`,
      );
    }
    const result = {
      benchmark: 'influxdb',
      date: new Date().toISOString(),
      records: RECORDS,
      recordBytes: values[0]!.length,
      server: `InfluxDB ${url}`,
      rawBatchSize: best.batch,
      requestsPerPut: PUT_REQUESTS,
      gzip: GZIP,
      pairs: pairs.map((p) => ({
        rawPointsPerSecond: Math.round(p.raw.rate),
        sluiceRecordsPerSecond: Math.round(p.e2e.rate),
        ratio: Number(p.ratio.toFixed(3)),
        workerCpuMicrosPerRecord: Math.round(p.e2e.cpuMicrosPerRecord),
        workerPeakRssMiB: Math.round(p.e2e.peakRssMiB),
        influxCpuMicrosPerPointRaw: Math.round(p.raw.influxCpuMicrosPerPoint),
        influxCpuMicrosPerPointSluice: Math.round(p.e2e.influxCpuMicrosPerPoint),
      })),
      medianRatio: Number(median(pairs.map((p) => p.ratio)).toFixed(3)),
      medianRawPointsPerSecond: Math.round(median(pairs.map((p) => p.raw.rate))),
      medianSluiceRecordsPerSecond: Math.round(median(pairs.map((p) => p.e2e.rate))),
      medianWorkerCpuMicrosPerRecord: Math.round(median(pairs.map((p) => p.e2e.cpuMicrosPerRecord))),
      maxWorkerPeakRssMiB: Math.round(Math.max(...pairs.map((p) => p.e2e.peakRssMiB))),
      target: 0.8,
    };
    console.log('');
    console.log('| measure | rate |');
    console.log('|---|---|');
    console.log(
      `| raw client writeApi (batch ${best.batch}, ${GZIP ? 'gzip' : 'no gzip'}), median | ${result.medianRawPointsPerSecond} points/s |`,
    );
    console.log(
      `| sluice end to end (first → last commit), median | ${result.medianSluiceRecordsPerSecond} records/s |`,
    );
    console.log(`median of the per-pair ratios: ${result.medianRatio}x (target >= 0.8x)`);
    console.log(
      `worker CPU ${result.medianWorkerCpuMicrosPerRecord} µs/record (median); peak RSS ${result.maxWorkerPeakRssMiB} MiB (max)`,
    );
    writeBenchResult({
      suite: 'influxdb',
      config: {
        records: RECORDS,
        recordBytes: values[0]!.length,
        rounds: REPS,
        server: `InfluxDB ${url}`,
        rawBatchSize: best.batch,
        requestsPerPut: PUT_REQUESTS,
        gzip: GZIP,
      },
      runs: alternatedRuns(
        'write',
        RECORDS,
        pairs.map((p) => ({
          raw: { recordsPerSec: p.raw.rate },
          sluice: {
            recordsPerSec: p.e2e.rate,
            cpuSecondsPerMillion: p.e2e.cpuMicrosPerRecord,
            peakRssMiB: p.e2e.peakRssMiB,
          },
        })),
      ),
      compare: [['sluice', 'raw']],
      notes: [
        `raw: the client's writeApi (batch ${best.batch}, ${GZIP ? 'gzip' : 'no gzip'}), points/s; sluice: \`sluice standalone\` first → last offset commit. Target >= ${result.target}x raw.`,
        `InfluxDB CPU µs/point (its write plus the compaction after it), median raw ${median(pairs.map((p) => p.raw.influxCpuMicrosPerPoint)).toFixed(0)}, sluice ${median(pairs.map((p) => p.e2e.influxCpuMicrosPerPoint)).toFixed(0)}; each timed run starts with InfluxDB idle.`,
      ],
    });
    await kafka.deleteTopics(topic).catch(() => undefined);
  } finally {
    await influxQl(url, db, `DROP DATABASE "${db}"`).catch(() => undefined);
    await kafka.close();
  }
}

await main();
