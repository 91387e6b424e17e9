// `npm run bench -- cassandra`: end-to-end records/s from a pre-filled topic of ~1 KB JSON records into
// Cassandra through `sluice standalone` and @sluice/sink-cassandra, beside the raw driver ceiling:
// prepared INSERTs of the same rows with the same driver (cassandra-driver's executeConcurrent at its
// best concurrency, found on a sample), measured in the same run. Raw and end-to-end runs alternate
// (BENCH_PAIRS pairs, default 3) so that both see the same machine load; the median of the per-pair
// ratios is reported, with the worker's CPU µs per record and peak RSS, and the result is written to
// bench/results/cassandra-<time>.json. BENCH_RECORDS (default 100000) sets the number of records.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, uniqueName } from '@sluice/test-utils';
import type * as Cassandra from 'cassandra-driver';
import {
  benchRecord,
  measureUntilCommitted,
  median,
  rateAfterFirstCommit,
  type CommittedRun,
} from './_measure.js';
import { alternatedRuns, writeBenchResult } from './_results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The driver the sink uses (its own dependency), not whatever version is hoisted to the root.
const cassandra = createRequire(path.join(root, 'packages/sink-cassandra/package.json'))(
  'cassandra-driver',
) as typeof Cassandra;

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const CONCURRENCY = [32, 64, 128, 256];
const PROBE_RECORDS = Math.min(RECORDS, 10_000);
/** Rows per put(): enough for the sink to keep its concurrency busy between polls. */
const POLL_RECORDS = 2000;

const COLUMNS =
  '(id int PRIMARY KEY, sensor text, ts timestamp, temperature double, humidity int, ok boolean, tags list<text>, payload text)';

interface Doc {
  id: number;
  sensor: string;
  ts: number;
  reading: { temperature: number; humidity: number; ok: boolean };
  tags: string[];
  payload: string;
}

/** The raw ceiling: the rows as bound values, prepared INSERTs, `concurrency` in flight. */
async function rawInsert(
  client: Cassandra.Client,
  table: string,
  docs: readonly Doc[],
  concurrency: number,
): Promise<number> {
  const query = `INSERT INTO ${table} (id, sensor, ts, temperature, humidity, ok, tags, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
  const params = docs.map((d) => [
    d.id,
    d.sensor,
    new Date(d.ts),
    d.reading.temperature,
    d.reading.humidity,
    d.reading.ok,
    d.tags,
    d.payload,
  ]);
  const started = performance.now();
  await cassandra.concurrent.executeConcurrent(client, query, params, { concurrencyLevel: concurrency });
  return docs.length / ((performance.now() - started) / 1000);
}

interface EndToEnd {
  rate: number;
  withStartup: number;
  cpuMicrosPerRecord: number;
  rssMiB: number;
}

async function endToEnd(
  bootstrap: string,
  host: string,
  port: string,
  localDc: string,
  keyspace: string,
  table: string,
  topic: string,
  concurrency: number,
  client: Cassandra.Client,
): Promise<EndToEnd> {
  const name = uniqueName('bench-cass');
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
        'connector.class': 'CassandraSinkConnector',
        topics: topic,
        'connect.cassandra.contact.points': host,
        'connect.cassandra.port': port,
        'connect.cassandra.load.balancing.local.dc': localDc,
        'connect.cassandra.kcql':
          `INSERT INTO ${keyspace}.${table} SELECT id, sensor, ts, reading.temperature AS temperature, ` +
          `reading.humidity AS humidity, reading.ok AS ok, tags, payload FROM ${topic}`,
        'connect.cassandra.max.concurrent.requests': String(concurrency),
        'consumer.override.max.poll.records': String(POLL_RECORDS),
        'consumer.override.max.partition.fetch.bytes': String(POLL_RECORDS * 1100),
        'consumer.override.fetch.max.bytes': String(POLL_RECORDS * 1100),
      },
    ],
  });
  const kafka = new KafkaTestClient(bootstrap);
  let run: CommittedRun;
  try {
    // Progress from the committed offsets: they pass a record only after Cassandra acknowledged it.
    run = await measureUntilCommitted(worker, kafka, { group: `connect-${name}`, topic, records: RECORDS });
  } finally {
    await kafka.close();
  }
  await worker.stop();
  const [row] = (await client.execute(`SELECT count(*) AS n FROM ${keyspace}.${table}`)).rows;
  const written = Number(row!.get('n'));
  if (written !== RECORDS) throw new Error(`expected ${RECORDS} rows in ${table}, found ${written}`);
  return {
    rate: rateAfterFirstCommit(run),
    withStartup: RECORDS / ((run.done - run.started) / 1000),
    cpuMicrosPerRecord: (run.cpuSeconds * 1e6) / RECORDS,
    rssMiB: run.peakRssMiB,
  };
}

async function main(): Promise<void> {
  const services = await ensureServices(['kafka', 'cassandra']);
  const bootstrap = services['kafka']!['bootstrapServers'] as string;
  const info = services['cassandra']!;
  const [host, port] = (info['contactPoints'] as string[])[0]!.split(':') as [string, string];
  const localDc = info['localDataCenter'] as string;
  const client = new cassandra.Client({
    contactPoints: [`${host}:${port}`],
    localDataCenter: localDc,
    queryOptions: { prepare: true, isIdempotent: true },
    socketOptions: { readTimeout: 20_000 },
  });
  await client.connect();
  const keyspace = uniqueName('bench').replace(/-/g, '_');
  await client.execute(
    `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  );
  const kafka = new KafkaTestClient(bootstrap);
  const values = Array.from({ length: RECORDS }, (_, i) => benchRecord(i));
  const docs = values.map((v) => JSON.parse(v) as Doc);
  console.log(
    `records: ${RECORDS} of ${values[0]!.length} bytes; Cassandra ${host}:${port}; keyspace ${keyspace}`,
  );
  const loadBefore = loadavg();
  const createTable = async (table: string) => client.execute(`CREATE TABLE ${keyspace}.${table} ${COLUMNS}`);

  try {
    // The driver's best concurrency, on a sample.
    let best = { concurrency: CONCURRENCY[0]!, rate: 0 };
    for (const concurrency of CONCURRENCY) {
      await createTable(`probe_${concurrency}`);
      const rate = await rawInsert(
        client,
        `${keyspace}.probe_${concurrency}`,
        docs.slice(0, PROBE_RECORDS),
        concurrency,
      );
      console.log(`  raw probe prepared INSERT, ${concurrency} in flight: ${rate.toFixed(0)} rows/s`);
      if (rate > best.rate) best = { concurrency, rate };
    }

    const topic = uniqueName('bench-cassandra');
    await kafka.createTopic(topic);
    // 500 records of 1 KB per request stays under the broker's 1 MB message.max.bytes.
    await kafka.produce(
      topic,
      values.map((value) => ({ value })),
      500,
    );

    // Cassandra's JIT warms up over the first hundred thousand writes or so (the raw rate doubled from
    // the first pair to the third before this pass): one full pass first, not measured.
    await createTable('warmup');
    const warm = await rawInsert(client, `${keyspace}.warmup`, docs, best.concurrency);
    console.log(`  warm-up pass (not counted): ${warm.toFixed(0)} rows/s`);

    const pairs: { raw: number; e2e: EndToEnd; ratio: number }[] = [];
    for (let i = 1; i <= PAIRS; i++) {
      await createTable(`raw_${i}`);
      const raw = await rawInsert(client, `${keyspace}.raw_${i}`, docs, best.concurrency);
      await createTable(`e2e_${i}`);
      const e2e = await endToEnd(
        bootstrap,
        host,
        port,
        localDc,
        keyspace,
        `e2e_${i}`,
        topic,
        best.concurrency,
        client,
      );
      pairs.push({ raw, e2e, ratio: e2e.rate / raw });
      console.log(
        `  [${i}/${PAIRS}] raw ${raw.toFixed(0)} rows/s; sluice ${e2e.rate.toFixed(0)} records/s (${(e2e.rate / raw).toFixed(2)}x; ` +
          `${e2e.withStartup.toFixed(0)} with start-up), worker CPU ${e2e.cpuMicrosPerRecord.toFixed(0)} µs/record, peak RSS ${e2e.rssMiB.toFixed(0)} MiB`,
      );
    }
    const loadAfter = loadavg();
    const result = {
      benchmark: 'cassandra',
      date: new Date().toISOString(),
      records: RECORDS,
      recordBytes: values[0]!.length,
      rawConcurrency: best.concurrency,
      pairs,
      rawMedian: median(pairs.map((p) => p.raw)),
      sluiceMedian: median(pairs.map((p) => p.e2e.rate)),
      ratioMedian: median(pairs.map((p) => p.ratio)),
      cpuMicrosPerRecordMedian: median(pairs.map((p) => p.e2e.cpuMicrosPerRecord)),
      peakRssMiB: Math.max(...pairs.map((p) => p.e2e.rssMiB)),
      loadAverage: { before: loadBefore, after: loadAfter },
    };
    console.log('');
    console.log('| measure | records/s |');
    console.log('|---|---|');
    console.log(
      `| raw driver, prepared INSERT, ${best.concurrency} in flight (median) | ${result.rawMedian.toFixed(0)} |`,
    );
    console.log(`| sluice end to end, first → last commit (median) | ${result.sluiceMedian.toFixed(0)} |`);
    console.log(`ratio, median of ${PAIRS} pairs: ${result.ratioMedian.toFixed(2)}x (target >= 0.6x)`);
    console.log(
      `worker CPU ${result.cpuMicrosPerRecordMedian.toFixed(0)} µs/record; peak RSS ${result.peakRssMiB.toFixed(0)} MiB; ` +
        `load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`,
    );
    writeBenchResult({
      suite: 'cassandra',
      config: {
        records: RECORDS,
        recordBytes: values[0]!.length,
        rounds: PAIRS,
        rawConcurrency: best.concurrency,
      },
      runs: alternatedRuns(
        'insert',
        RECORDS,
        pairs.map((p) => ({
          raw: { recordsPerSec: p.raw },
          sluice: {
            recordsPerSec: p.e2e.rate,
            cpuSecondsPerMillion: p.e2e.cpuMicrosPerRecord,
            peakRssMiB: p.e2e.rssMiB,
          },
        })),
      ),
      compare: [['sluice', 'raw']],
      notes: [
        `raw: the driver's prepared INSERT, ${best.concurrency} in flight, after one unmeasured warm-up pass; sluice: \`sluice standalone\` first → last offset commit. Target >= 0.6x raw.`,
        `Load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}.`,
      ],
    });
    await kafka.deleteTopics(topic).catch(() => undefined);
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await client.shutdown();
    await kafka.close();
  }
}

await main();
