// `npm run bench -- coap`: end-to-end records/s from a pre-filled topic of ~1 KB JSON records to
// libcoap's coap-server (test-infra `coap`) through `sluice standalone` and @sluice/sink-coap, beside
// the raw PUT rate of node-coap (the client the sink uses) to the same server, with the same payloads
// and the same concurrency: RESOURCES resources, one confirmable PUT in flight per resource (the sink
// keeps each resource in record order, so the raw client does too), RESOURCES in flight in all.
// Raw and sink runs alternate REPS times; the ratio reported is the median of the per-pair ratios.
// The sink's rate runs from the first record's arrival at the server (a GET polled every 10 ms) to its
// last committed offset (committed only after every PUT of a batch was answered 2.xx). Prints both rates, the ratio, the worker's CPU µs per record and peak
// RSS, and writes them to bench/results/coap-<UTC time>.json.
// BENCH_RECORDS (default 30000), BENCH_REPS (default 3), BENCH_RESOURCES (default 8).
import { createRequire } from 'node:module';
import { createSocket, type Socket } from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, uniqueName, waitFor } from '@sluice/test-utils';
import type * as Coap from 'coap';
import { benchRecord, cpuSeconds, median, peakRssMiB } from './_measure.js';
import { alternatedRuns, writeBenchResult } from './_results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The client the sink uses (its own dependency), not whatever version is hoisted to the root.
const coap = createRequire(path.join(root, 'packages/sink-coap/package.json'))('coap') as typeof Coap;

const RECORDS = Number(process.env.BENCH_RECORDS ?? 30_000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 8);

/** node-coap PUTs: one worker per resource, each sending its records in order, one at a time. */
async function rawPut(
  host: string,
  port: number,
  prefix: string,
  payloads: readonly Buffer[],
): Promise<number> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, resolve));
  const agent = new coap.Agent({ socket });
  const put = (resource: string, payload: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const req = agent.request({
        hostname: host,
        port,
        method: 'PUT',
        pathname: `${prefix}/${resource}`,
        confirmable: true,
      });
      req.setOption('Content-Format', 50);
      req.on('response', (res) =>
        res.code.startsWith('2') ? resolve() : reject(new Error(`answered ${res.code}`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: RESOURCES }, async (_, r) => {
      for (let i = r; i < payloads.length; i += RESOURCES) await put(`r${r}`, payloads[i]!);
    }),
  );
  const rate = payloads.length / ((performance.now() - started) / 1000);
  agent.close();
  socket.close();
  return rate;
}

interface SinkRun {
  rate: number;
  withStartup: number;
  cpuMicrosPerRecord: number;
  rssMiB: number;
}

/** Resolves with the moment a GET of the resource first answers 2.05 (polled every 10 ms). */
async function firstArrival(
  host: string,
  port: number,
  pathname: string,
  signal: AbortSignal,
): Promise<number> {
  while (!signal.aborted) {
    const code = await new Promise<string>((resolve) => {
      const req = coap.request({ hostname: host, port, method: 'GET', pathname, confirmable: true });
      req.on('response', (res) => resolve(res.code));
      req.on('error', () => resolve('error'));
      req.end();
    });
    if (code === '2.05') return performance.now();
    await new Promise((r) => setTimeout(r, 10));
  }
  return NaN;
}

async function sinkRun(
  kafka: KafkaTestClient,
  bootstrap: string,
  server: { host: string; port: number; url: string },
  topic: string,
): Promise<SinkRun> {
  const name = uniqueName('bench-coap');
  const prefix = uniqueName('bench');
  const polling = new AbortController();
  const arrival = firstArrival(server.host, server.port, `${prefix}/r0`, polling.signal);
  const started = performance.now();
  const worker = await StandaloneWorker.start({
    worker: {
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'offset.flush.interval.ms': '100',
    },
    connectors: [
      {
        name,
        'connector.class': 'CoapSinkConnector',
        topics: topic,
        'connect.coap.uri': `${server.url}/${prefix}`,
        'connect.coap.kcql': `INSERT INTO _key SELECT * FROM ${topic}`,
        'connect.coap.max.in.flight': String(RESOURCES),
        'consumer.override.max.poll.records': '2000',
        'consumer.override.max.partition.fetch.bytes': '4194304',
      },
    ],
  });
  const cpuAtStart = worker.pid ? cpuSeconds(worker.pid) : NaN;
  try {
    await waitFor(async () => (await kafka.committedRecords(`connect-${name}`, topic)) >= RECORDS, {
      what: `${RECORDS} records committed by the worker`,
      timeoutMs: 30 * 60_000,
      intervalMs: 100,
    });
  } catch (e) {
    console.error(worker.output().slice(-4000));
    throw e;
  }
  const done = performance.now();
  polling.abort();
  const first = await arrival;
  const rssMiB = worker.pid ? peakRssMiB(worker.pid) : NaN;
  const cpu = worker.pid ? cpuSeconds(worker.pid) - cpuAtStart : NaN;
  await worker.stop();
  return {
    rate: RECORDS / ((done - first) / 1000),
    withStartup: RECORDS / ((done - started) / 1000),
    cpuMicrosPerRecord: (cpu * 1e6) / RECORDS,
    rssMiB,
  };
}

async function main(): Promise<void> {
  const services = await ensureServices(['kafka', 'coap']);
  const bootstrap = services['kafka']!['bootstrapServers'] as string;
  const { host, port } = services['coap']!;
  const uri = services['coap']!['url'] as string;
  const values = Array.from({ length: RECORDS }, (_, i) => benchRecord(i));
  const payloads = values.map((v) => Buffer.from(v));
  console.log(
    `records: ${RECORDS} of ${values[0]!.length} bytes; server ${uri}; ${RESOURCES} resources, one PUT in flight each`,
  );

  const kafka = new KafkaTestClient(bootstrap);
  const topic = uniqueName('bench-coap');
  const pairs: { raw: number; sink: SinkRun }[] = [];
  try {
    await kafka.createTopic(topic);
    await kafka.produce(
      topic,
      values.map((value, i) => ({ key: `r${i % RESOURCES}`, value })),
      500,
    );
    for (let rep = 1; rep <= REPS; rep++) {
      const raw = await rawPut(host, port, uniqueName('bench-raw'), payloads);
      const sink = await sinkRun(kafka, bootstrap, { host, port, url: uri }, topic);
      pairs.push({ raw, sink });
      console.log(
        `  [${rep}/${REPS}] raw node-coap ${raw.toFixed(0)} PUT/s; sluice ${sink.rate.toFixed(0)} records/s ` +
          `(${(sink.rate / raw).toFixed(2)}x; with start-up ${sink.withStartup.toFixed(0)}/s), worker CPU ` +
          `${sink.cpuMicrosPerRecord.toFixed(0)} µs/record, peak RSS ${sink.rssMiB.toFixed(0)} MiB`,
      );
    }
  } finally {
    await kafka.close();
  }
  const result = {
    benchmark: 'coap',
    date: new Date().toISOString(),
    records: RECORDS,
    recordBytes: values[0]!.length,
    resources: RESOURCES,
    rawPutPerSecond: median(pairs.map((p) => p.raw)),
    sinkRecordsPerSecond: median(pairs.map((p) => p.sink.rate)),
    ratio: median(pairs.map((p) => p.sink.rate / p.raw)),
    workerCpuMicrosPerRecord: median(pairs.map((p) => p.sink.cpuMicrosPerRecord)),
    workerPeakRssMiB: Math.max(...pairs.map((p) => p.sink.rssMiB)),
    pairs,
  };
  console.log('');
  console.log('| measure | records/s |');
  console.log('|---|---|');
  console.log(
    `| raw node-coap PUT, ${RESOURCES} resources × 1 in flight | ${result.rawPutPerSecond.toFixed(0)} |`,
  );
  console.log(
    `| sluice end to end, first arrival → last commit | ${result.sinkRecordsPerSecond.toFixed(0)} |`,
  );
  console.log(`ratio (median of ${REPS} alternated pairs): ${result.ratio.toFixed(2)}x (target >= 0.7x)`);
  console.log(
    `worker CPU ${result.workerCpuMicrosPerRecord.toFixed(0)} µs/record, peak RSS ${result.workerPeakRssMiB.toFixed(0)} MiB`,
  );
  writeBenchResult({
    suite: 'coap',
    config: { records: RECORDS, recordBytes: values[0]!.length, rounds: REPS, resources: RESOURCES },
    runs: alternatedRuns(
      'put',
      RECORDS,
      pairs.map((p) => ({
        raw: { recordsPerSec: p.raw },
        sluice: {
          recordsPerSec: p.sink.rate,
          cpuSecondsPerMillion: p.sink.cpuMicrosPerRecord,
          peakRssMiB: p.sink.rssMiB,
        },
      })),
    ),
    compare: [['sluice', 'raw']],
    notes: [
      `raw: node-coap PUTs, ${RESOURCES} resources with one PUT in flight each; sluice: \`sluice standalone\` first arrival → last offset commit. Target >= 0.7x raw.`,
    ],
  });
}

await main();
