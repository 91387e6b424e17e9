// `npm run bench -- elastic`: end-to-end records/s from a pre-filled topic of ~1 KB JSON records into
// Elasticsearch through `sluice standalone` and @sluice/sink-elastic, beside the raw ceiling of the
// same server: the same client's bulk helper (`client.helpers.bulk`) indexing the same documents with
// the same ids, at its best flush size and concurrency (probed first); the worker gets that bulk size
// and in-flight count, and polls whole bulks, about 5,000 records, per put (BENCH_POLL_RECORDS
// overrides). Raw and end-to-end runs alternate
// BENCH_PAIRS times (default 3); the median of the per-pair ratios is reported, with the worker's CPU
// µs per record and peak RSS. The result is written to bench/results/elastic-<UTC time>.json.
// BENCH_RECORDS (default 100000) sets the number of records; BENCH_ES=elasticsearch7 runs against 7.17.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, uniqueName } from '@sluice/test-utils';
import type * as Elastic from '@elastic/elasticsearch';
import { benchRecord, measureUntilCommitted, median, rateAfterFirstCommit } from './_measure.js';
import { alternatedRuns, writeBenchResult } from './_results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The client the sink uses (its own dependency), not whatever version is hoisted to the root.
const { Client } = createRequire(path.join(root, 'packages/sink-elastic/package.json'))(
  '@elastic/elasticsearch',
) as typeof Elastic;

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const SERVICE = (process.env.BENCH_ES ?? 'elasticsearch') as 'elasticsearch' | 'elasticsearch7';
const FLUSH_BYTES = [1 << 20, 5 << 20];
const CONCURRENCY = [1, 2, 4, 8];
const PROBE_RECORDS = Math.min(RECORDS, 20_000);
const POLL_RECORDS = Number(process.env.BENCH_POLL_RECORDS ?? 0);

/** The bulk helper indexing `docs` by id into `index`; docs/s. */
async function rawBulk(
  es: Elastic.Client,
  index: string,
  docs: readonly object[],
  flushBytes: number,
  concurrency: number,
  topic: string,
): Promise<number> {
  const started = performance.now();
  let i = 0;
  let dropped = '';
  const stats = await es.helpers.bulk({
    datasource: docs as object[],
    // The ids the sink gives records without PK: <topic>-<partition>-<offset>.
    onDocument: () => ({ index: { _index: index, _id: `${topic}-0-${i++}` } }),
    flushBytes,
    concurrency,
    refreshOnCompletion: false,
    onDrop: (d) => (dropped ||= `${d.status}: ${JSON.stringify(d.error)}`),
  });
  const rate = docs.length / ((performance.now() - started) / 1000);
  if (stats.successful !== docs.length)
    throw new Error(`raw bulk: ${stats.failed} documents failed, the first with ${dropped}`);
  await es.indices.delete({ index });
  return rate;
}

interface EndToEnd {
  rate: number;
  steadyRate: number;
  cpuMicrosPerRecord: number;
  peakRssMiB: number;
}

async function endToEnd(
  es: Elastic.Client,
  kafka: KafkaTestClient,
  bootstrap: string,
  esUrl: URL,
  topic: string,
  best: { flushBytes: number; concurrency: number },
  perPut: number,
): Promise<EndToEnd> {
  const name = uniqueName('bench-elastic');
  const index = name.toLowerCase();
  // Fetches of about one put's records: larger ones (22 MB tried) only raised the worker's peak RSS
  // (by ~230 MiB: the consumer holds a fetch-ahead of that many bytes, and the batches it decoded).
  const fetchBytes = String(Math.max(1 << 20, perPut * 1100));
  const worker = await StandaloneWorker.start({
    worker: {
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      // Frequent commits (and polls of them below) time the last record within ~0.1 s, not ~0.5 s.
      'offset.flush.interval.ms': '100',
    },
    connectors: [
      {
        name,
        'connector.class': 'ElasticSinkConnector',
        topics: topic,
        'connect.elastic.hosts': esUrl.hostname,
        'connect.elastic.port': esUrl.port,
        'connect.elastic.kcql': `INSERT INTO ${index} SELECT * FROM ${topic}`,
        'connect.elastic.bulk.max.bytes': String(best.flushBytes),
        'connect.elastic.batch.size': '100000',
        'connect.elastic.max.in.flight': String(best.concurrency),
        'consumer.override.max.poll.records': String(perPut),
        'consumer.override.max.partition.fetch.bytes': fetchBytes,
        'consumer.override.fetch.max.bytes': fetchBytes,
      },
    ],
  });
  // Committed offsets advance only after Elasticsearch acknowledged the records.
  const run = await measureUntilCommitted(worker, kafka, {
    group: `connect-${name}`,
    topic,
    records: RECORDS,
    intervalMs: 50,
  });
  await worker.stop();
  await es.indices.refresh({ index });
  const written = (await es.count({ index })).count;
  await es.indices.delete({ index });
  if (written !== RECORDS) throw new Error(`expected ${RECORDS} documents in ${index}, found ${written}`);
  return {
    rate: RECORDS / ((run.done - run.started) / 1000),
    steadyRate: rateAfterFirstCommit(run),
    cpuMicrosPerRecord: (run.cpuSeconds * 1e6) / RECORDS,
    peakRssMiB: run.peakRssMiB,
  };
}

async function main(): Promise<void> {
  const services = await ensureServices(['kafka', SERVICE]);
  const bootstrap = services['kafka']!['bootstrapServers'] as string;
  const esUrl = new URL(services[SERVICE]!['url'] as string);
  const es = new Client({ node: esUrl.toString() });
  const kafka = new KafkaTestClient(bootstrap);
  const values = Array.from({ length: RECORDS }, (_, i) => benchRecord(i));
  const docs = values.map((v) => JSON.parse(v) as object);
  console.log(`records: ${RECORDS} of ${values[0]!.length} bytes; server ${SERVICE} at ${esUrl}`);

  const topic = uniqueName('bench-elastic');
  try {
    await kafka.createTopic(topic);
    await kafka.produce(
      topic,
      values.map((value) => ({ value })),
      500,
    );
    let best = { flushBytes: FLUSH_BYTES[0]!, concurrency: CONCURRENCY[0]!, rate: 0 };
    for (const flushBytes of FLUSH_BYTES) {
      for (const concurrency of CONCURRENCY) {
        const rate = await rawBulk(
          es,
          uniqueName('probe').toLowerCase(),
          docs.slice(0, PROBE_RECORDS),
          flushBytes,
          concurrency,
          topic,
        );
        console.log(
          `  raw probe helpers.bulk flushBytes=${flushBytes} concurrency=${concurrency}: ${rate.toFixed(0)} docs/s`,
        );
        if (rate > best.rate) best = { flushBytes, concurrency, rate };
      }
    }

    // A put() prepares all its records before handing its bulks to the write pipeline, which keeps
    // `concurrency` of them writing across puts: puts of whole bulks, ~5,000 records or one bulk, keep
    // it fed evenly. (A bulk line is the document plus its action line of under 100 bytes.)
    const perBulk = Math.floor(best.flushBytes / (values[0]!.length + 100));
    const perPut = POLL_RECORDS || perBulk * Math.max(1, Math.floor(5000 / perBulk));
    const pairs: { raw: number; e2e: EndToEnd; ratio: number }[] = [];
    for (let p = 0; p < PAIRS; p++) {
      const raw = await rawBulk(
        es,
        uniqueName('raw').toLowerCase(),
        docs,
        best.flushBytes,
        best.concurrency,
        topic,
      );
      const e2e = await endToEnd(es, kafka, bootstrap, esUrl, topic, best, perPut);
      pairs.push({ raw, e2e, ratio: e2e.steadyRate / raw });
      console.log(
        `  pair ${p + 1}: raw ${raw.toFixed(0)} docs/s, sluice ${e2e.steadyRate.toFixed(0)} records/s ` +
          `(${e2e.rate.toFixed(0)} with startup), ratio ${(e2e.steadyRate / raw).toFixed(2)}x, ` +
          `worker ${e2e.cpuMicrosPerRecord.toFixed(0)} µs CPU/record, peak RSS ${e2e.peakRssMiB.toFixed(0)} MiB`,
      );
    }
    const result = {
      benchmark: 'elastic',
      server: SERVICE,
      records: RECORDS,
      recordBytes: values[0]!.length,
      rawSettings: { flushBytes: best.flushBytes, concurrency: best.concurrency },
      maxPollRecords: perPut,
      pairs,
      medianRatio: median(pairs.map((p) => p.ratio)),
      medianRaw: median(pairs.map((p) => p.raw)),
      medianSluice: median(pairs.map((p) => p.e2e.steadyRate)),
      medianCpuMicrosPerRecord: median(pairs.map((p) => p.e2e.cpuMicrosPerRecord)),
      maxPeakRssMiB: Math.max(...pairs.map((p) => p.e2e.peakRssMiB)),
      at: new Date().toISOString(),
    };
    console.log('');
    console.log('| measure | records/s |');
    console.log('|---|---|');
    console.log(
      `| raw helpers.bulk (flushBytes ${best.flushBytes}, concurrency ${best.concurrency}), median | ${result.medianRaw.toFixed(0)} |`,
    );
    console.log(`| sluice end to end, first → last commit, median | ${result.medianSluice.toFixed(0)} |`);
    console.log(
      `median ratio of ${PAIRS} pairs: ${result.medianRatio.toFixed(2)}x (target >= 0.7x); worker ` +
        `${result.medianCpuMicrosPerRecord.toFixed(0)} µs CPU/record, peak RSS ${result.maxPeakRssMiB.toFixed(0)} MiB`,
    );
    writeBenchResult({
      suite: 'elastic',
      config: {
        records: RECORDS,
        recordBytes: values[0]!.length,
        rounds: PAIRS,
        server: SERVICE,
        rawFlushBytes: best.flushBytes,
        rawConcurrency: best.concurrency,
        maxPollRecords: perPut,
      },
      runs: alternatedRuns(
        'index',
        RECORDS,
        pairs.map((p) => ({
          raw: { recordsPerSec: p.raw },
          sluice: {
            recordsPerSec: p.e2e.steadyRate,
            cpuSecondsPerMillion: p.e2e.cpuMicrosPerRecord,
            peakRssMiB: p.e2e.peakRssMiB,
          },
        })),
      ),
      compare: [['sluice', 'raw']],
      notes: [
        `raw: the client's helpers.bulk (flushBytes ${best.flushBytes}, concurrency ${best.concurrency}); sluice: \`sluice standalone\` first → last offset commit, the same bulk size and in-flight count, max.poll.records ${perPut}. Target >= 0.7x raw.`,
      ],
    });
    await kafka.deleteTopics(topic);
  } finally {
    await es.close();
    await kafka.close();
  }
}

await main();
