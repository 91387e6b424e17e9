// `npm run bench -- mongodb`: end-to-end records/s from a pre-filled topic of ~1 KB JSON records into
// MongoDB through `sluice standalone` and @sluice/sink-mongodb, beside the raw ingest rate of the same
// server with the same driver and the same documents (unordered insertMany at its best batch size and
// concurrency), measured in the same run. Prints both, the ratio and the worker's peak RSS.
// BENCH_RECORDS (default 100000) sets the number of records.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, uniqueName, waitFor } from '@sluice/test-utils';
import type * as Mongo from 'mongodb';
import { benchRecord, cpuSeconds, peakRssMiB } from './_measure.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The driver the sink uses (its own dependency), not whatever version is hoisted to the root.
const { MongoClient } = createRequire(path.join(root, 'packages/sink-mongodb/package.json'))(
  'mongodb',
) as typeof Mongo;

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const BATCH_SIZES = [100, 500, 1000];
const CONCURRENCY = [1, 4, 8];
const PROBE_RECORDS = Math.min(RECORDS, 10_000);

async function rawInsert(
  db: Mongo.Db,
  collection: string,
  docs: readonly object[],
  batch: number,
  concurrency: number,
): Promise<number> {
  const coll = db.collection(collection);
  const batches: object[][] = [];
  for (let i = 0; i < docs.length; i += batch) batches.push(docs.slice(i, i + batch).map((d) => ({ ...d })));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) await coll.insertMany(batches[next++]!, { ordered: false });
    }),
  );
  return docs.length / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const services = await ensureServices(['kafka', 'mongodb']);
  const bootstrap = services['kafka']!['bootstrapServers'] as string;
  const mongoUrl = services['mongodb']!['url'] as string;
  const dbName = uniqueName('bench').replace(/-/g, '_');
  const client = new MongoClient(mongoUrl);
  const db = client.db(dbName);
  const kafka = new KafkaTestClient(bootstrap);
  const values = Array.from({ length: RECORDS }, (_, i) => benchRecord(i));
  const docs = values.map((v) => JSON.parse(v) as object);
  console.log(`records: ${RECORDS} of ${values[0]!.length} bytes; server ${mongoUrl}; database ${dbName}`);

  try {
    // 1. The raw ceiling: find the best bulk settings on a sample, then measure the full set.
    let best = { batch: BATCH_SIZES[0]!, concurrency: CONCURRENCY[0]!, rate: 0 };
    for (const batch of BATCH_SIZES) {
      for (const concurrency of CONCURRENCY) {
        const rate = await rawInsert(
          db,
          `probe_${batch}_${concurrency}`,
          docs.slice(0, PROBE_RECORDS),
          batch,
          concurrency,
        );
        console.log(
          `  raw probe insertMany batch=${batch} concurrency=${concurrency}: ${rate.toFixed(0)} docs/s`,
        );
        if (rate > best.rate) best = { batch, concurrency, rate };
      }
    }
    const raw = await rawInsert(db, 'raw', docs, best.batch, best.concurrency);

    // 2. End to end: the topic is filled first, then the worker drains it into MongoDB.
    const topic = uniqueName('bench-mongo');
    await kafka.createTopic(topic);
    const filled = performance.now();
    // 500 records of 1 KB per request stays under the broker's 1 MB message.max.bytes.
    await kafka.produce(
      topic,
      values.map((value) => ({ value })),
      500,
    );
    console.log(`  topic filled in ${((performance.now() - filled) / 1000).toFixed(1)} s`);

    // Bulk writes can only be as large and as many as put() batches allow: let one put hold
    // `concurrency` bulks of the best size (Kafka Connect's consumer.override.* keys).
    const perPut = best.batch * best.concurrency;
    const fetchBytes = String(Math.max(1_048_576, perPut * 1100));
    console.log(`  worker: max.poll.records=${perPut}, max.partition.fetch.bytes=${fetchBytes}`);
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
          name: 'bench-mongo',
          'connector.class': 'MongoSinkConnector',
          topics: topic,
          'connect.mongo.connection': mongoUrl,
          'connect.mongo.db': dbName,
          'connect.mongo.kcql': `INSERT INTO e2e SELECT * FROM ${topic} BATCH = ${best.batch}`,
          'connect.mongo.max.in.flight': String(best.concurrency),
          'consumer.override.max.poll.records': String(perPut),
          'consumer.override.max.partition.fetch.bytes': fetchBytes,
          'consumer.override.fetch.max.bytes': fetchBytes,
        },
      ],
    });
    const started = performance.now();
    const cpuAtStart = worker.pid ? cpuSeconds(worker.pid) : NaN;
    // Progress comes from the connector's committed offsets (committed only after MongoDB acknowledged
    // the records), not from counting documents, which costs the server a scan and slows the run.
    let first = 0;
    try {
      await waitFor(
        async () => {
          const n = await kafka.committedRecords('connect-bench-mongo', topic);
          if (n > 0 && first === 0) first = performance.now();
          return n >= RECORDS;
        },
        { what: `${RECORDS} records committed by the worker`, timeoutMs: 30 * 60_000, intervalMs: 250 },
      );
    } catch (e) {
      console.error(worker.output().slice(-4000));
      throw e;
    }
    const done = performance.now();
    const rss = worker.pid ? peakRssMiB(worker.pid) : NaN;
    const cpu = worker.pid ? cpuSeconds(worker.pid) - cpuAtStart : NaN;
    await worker.stop();
    const written = await db.collection('e2e').countDocuments();
    if (written !== RECORDS) throw new Error(`expected ${RECORDS} documents in e2e, found ${written}`);

    const e2e = RECORDS / ((done - started) / 1000);
    const steady = RECORDS / ((done - first) / 1000);
    console.log('');
    console.log('| measure | records/s |');
    console.log('|---|---|');
    console.log(
      `| raw driver insertMany (unordered, batch ${best.batch}, ${best.concurrency} in flight) | ${raw.toFixed(0)} |`,
    );
    console.log(`| sluice end to end, worker start → last commit | ${e2e.toFixed(0)} |`);
    console.log(`| sluice end to end, first → last commit | ${steady.toFixed(0)} |`);
    console.log(
      `ratio (first → last) / raw: ${(steady / raw).toFixed(2)}x (target >= 0.7x); including startup: ${(e2e / raw).toFixed(2)}x`,
    );
    console.log(
      `worker peak RSS: ${rss.toFixed(0)} MiB; worker CPU ${cpu.toFixed(1)} s over ${((done - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    await kafka.close();
  }
}

await main();
