// `npm run bench -- mongodb`: end-to-end records/s from a pre-filled topic of ~1 KB JSON records into
// MongoDB through `sluice standalone` and @sluice/sink-mongodb, beside the raw ingest rate of the same
// server with the same driver and the same documents (unordered insertMany at its best batch size and
// concurrency), alternated three times in the same run. Sluice's rate runs from the first document in
// the collection to the exact count reaching every record (not from the first offset commit). Prints
// the pairs and the ratio and writes them to bench/results/mongodb-<UTC time>.json.
// BENCH_RECORDS (default 100000) sets the number of records.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, uniqueName, waitFor } from '@sluice/test-utils';
import type * as Mongo from 'mongodb';
import { benchRecord, cpuSeconds, peakRssMiB } from './_measure.js';
import { type BenchRun, writeBenchResult } from './_results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The driver the sink uses (its own dependency), not whatever version is hoisted to the root.
const { MongoClient } = createRequire(path.join(root, 'packages/sink-mongodb/package.json'))(
  'mongodb',
) as typeof Mongo;

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const BATCH_SIZES = [100, 500, 1000];
const CONCURRENCY = [1, 4, 8];
const PROBE_RECORDS = Math.min(RECORDS, 10_000);
const ROUNDS = 3;

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

interface SluiceRun {
  recordsPerSec: number;
  seconds: number;
  cpuSecondsPerMillion: number;
  peakRssMiB: number;
  /** Worker start to the last document counted, startup included. */
  withStartup: number;
}

/** One `sluice standalone` run draining the whole topic into `collection`, timed by what MongoDB holds. */
async function sluiceRun(
  kafka: KafkaTestClient,
  db: Mongo.Db,
  bootstrap: string,
  mongoUrl: string,
  topic: string,
  collection: string,
  best: { batch: number; concurrency: number },
): Promise<SluiceRun> {
  // Bulk writes can only be as large and as many as put() batches allow: let one put hold
  // `concurrency` bulks of the best size (Kafka Connect's consumer.override.* keys).
  const perPut = best.batch * best.concurrency;
  const name = uniqueName('bench-mongo');
  const group = `connect-${name}`;
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
        'connector.class': 'MongoSinkConnector',
        topics: topic,
        'connect.mongo.connection': mongoUrl,
        'connect.mongo.db': db.databaseName,
        'connect.mongo.kcql': `INSERT INTO ${collection} SELECT * FROM ${topic} BATCH = ${best.batch}`,
        'connect.mongo.max.in.flight': String(best.concurrency),
        'consumer.override.max.poll.records': String(perPut),
        'consumer.override.max.partition.fetch.bytes': fetchBytes,
        'consumer.override.fetch.max.bytes': fetchBytes,
      },
    ],
  });
  const started = performance.now();
  const cpuAtStart = worker.pid ? cpuSeconds(worker.pid) : NaN;
  const coll = db.collection(collection);
  // The first record: the first document MongoDB holds (a one-document query, then its exact count).
  // Progress in between from the connector's committed offsets (Kafka, nothing asked of MongoDB:
  // counting there costs FerretDB a scan and slows the run); the last record verified: the exact count
  // reaching every record once the commits say they are written.
  let first = 0;
  let firstCount = 0;
  let written = 0;
  try {
    await waitFor(async () => (await coll.findOne({}, { projection: { _id: 1 } })) !== null, {
      what: `a first document in ${collection}`,
      timeoutMs: 5 * 60_000,
      intervalMs: 50,
    });
    first = performance.now();
    firstCount = await coll.countDocuments();
    await waitFor(async () => (await kafka.committedRecords(group, topic)) >= RECORDS, {
      what: `${RECORDS} records committed by ${group}`,
      timeoutMs: 30 * 60_000,
      intervalMs: 100,
    });
    await waitFor(async () => (written = await coll.countDocuments()) >= RECORDS, {
      what: `${RECORDS} documents counted in ${collection}`,
      timeoutMs: 60_000,
      intervalMs: 50,
    });
  } catch (e) {
    console.error(worker.output().slice(-4000));
    throw e;
  }
  const done = performance.now();
  const rss = worker.pid ? peakRssMiB(worker.pid) : NaN;
  const cpu = worker.pid ? cpuSeconds(worker.pid) - cpuAtStart : NaN;
  await worker.stop();
  if (written !== RECORDS)
    throw new Error(`expected ${RECORDS} documents in ${collection}, found ${written}`);
  // A run so short that the first poll already saw every document has no span: use its whole time.
  const seconds = firstCount < RECORDS ? (done - first) / 1000 : (done - started) / 1000;
  const counted = firstCount < RECORDS ? RECORDS - firstCount : RECORDS;
  return {
    recordsPerSec: counted / seconds,
    seconds,
    cpuSecondsPerMillion: (cpu / RECORDS) * 1e6,
    peakRssMiB: rss,
    withStartup: RECORDS / ((done - started) / 1000),
  };
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
  console.log(
    `records: ${RECORDS} of ${values[0]!.length} bytes; server ${mongoUrl}; database ${dbName}; ${ROUNDS} rounds`,
  );

  try {
    // The raw ceiling's bulk settings: the best of a grid on a sample, then used by both subjects.
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

    const runs: BenchRun[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const raw = await rawInsert(db, `raw_${round}`, docs, best.batch, best.concurrency);
      runs.push({
        case: 'insert',
        subject: 'raw',
        round,
        records: RECORDS,
        seconds: RECORDS / raw,
        recordsPerSec: raw,
      });
      const s = await sluiceRun(kafka, db, bootstrap, mongoUrl, topic, `e2e_${round}`, best);
      runs.push({
        case: 'insert',
        subject: 'sluice',
        round,
        records: RECORDS,
        seconds: s.seconds,
        recordsPerSec: s.recordsPerSec,
        cpuSecondsPerMillion: s.cpuSecondsPerMillion,
        peakRssMiB: s.peakRssMiB,
      });
      console.log(
        `  round ${round}: raw ${raw.toFixed(0)} docs/s; sluice ${s.recordsPerSec.toFixed(0)} records/s ` +
          `(${(s.recordsPerSec / raw).toFixed(2)}x; ${s.withStartup.toFixed(0)} with startup), ` +
          `${s.cpuSecondsPerMillion.toFixed(1)} CPU-s/M, peak RSS ${s.peakRssMiB.toFixed(0)} MiB`,
      );
      await db.collection(`raw_${round}`).drop();
      await db.collection(`e2e_${round}`).drop();
    }
    writeBenchResult({
      suite: 'mongodb',
      config: {
        records: RECORDS,
        recordBytes: values[0]!.length,
        rounds: ROUNDS,
        batch: best.batch,
        inFlight: best.concurrency,
        server: mongoUrl.replace(/\/\/[^@/]*@/, '//'),
      },
      runs,
      compare: [['sluice', 'raw']],
      versions: {
        mongodbDriver: (
          createRequire(path.join(root, 'packages/sink-mongodb/package.json'))('mongodb/package.json') as {
            version: string;
          }
        ).version,
      },
      notes: [
        'raw: unordered insertMany with the same driver, documents, batch size and concurrency (the best of a probe grid); ' +
          'sluice: `sluice standalone` from a pre-filled 1-partition topic, timed from the first document in the collection to the exact count reaching every record (progress from committed offsets in between). Target >= 0.7x raw.',
      ],
    });
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    await kafka.close();
  }
}

await main();
