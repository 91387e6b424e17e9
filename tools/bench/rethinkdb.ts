// `npm run bench -- rethinkdb`: end-to-end records/s from a pre-filled topic of ~1 KB JSON records into
// RethinkDB through `sluice standalone` and @sluice/sink-rethinkdb, beside the raw rate of batched
// `insert` queries with the same driver, documents and batch size, alternated three times in the same
// run (median of the per-pair ratios). Against test-infra's RethinkDB test double (no real server can be
// installed here) this measures Sluice's overhead over the driver, not RethinkDB's speed.
// BENCH_RECORDS (default 50000) sets the number of records; results go to bench/results/rethinkdb-<UTC time>.json.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, uniqueName } from '@sluice/test-utils';
import type * as Rethink from 'rethinkdb';
import { benchRecord, measureUntilCommitted, rateAfterFirstCommit } from './_measure.js';
import { type BenchRun, writeBenchResult } from './_results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The driver the sink uses (its own dependency).
const r = createRequire(path.join(root, 'packages/sink-rethinkdb/package.json'))(
  'rethinkdb',
) as typeof Rethink;

const RECORDS = Number(process.env.BENCH_RECORDS ?? 50_000);
const BATCH = 1000;
const PAIRS = 3;

/** The raw ceiling: the same documents (with the id the sink would give them), one insert query per batch. */
async function rawInsert(
  conn: Rethink.Connection,
  db: string,
  table: string,
  docs: readonly object[],
): Promise<number> {
  await r.db(db).tableCreate(table).run(conn);
  const started = performance.now();
  for (let i = 0; i < docs.length; i += BATCH) {
    await r
      .db(db)
      .table(table)
      .insert(docs.slice(i, i + BATCH), {
        conflict: 'error',
        durability: 'hard',
        returnChanges: false,
      } as never)
      .run(conn);
  }
  return docs.length / ((performance.now() - started) / 1000);
}

interface SluiceRun {
  rate: number;
  seconds: number;
  cpuMicrosPerRecord: number;
  peakRssMiB: number;
}

async function sluiceRun(
  kafka: KafkaTestClient,
  bootstrap: string,
  host: string,
  port: number,
  db: string,
  topic: string,
  table: string,
): Promise<SluiceRun> {
  const name = uniqueName('bench-rethink');
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
        'connector.class': 'ReThinkSinkConnector',
        topics: topic,
        'connect.rethink.host': host,
        'connect.rethink.port': String(port),
        'connect.rethink.db': db,
        'connect.rethink.kcql': `INSERT INTO ${table} SELECT * FROM ${topic} AUTOCREATE BATCH = ${BATCH}`,
        'consumer.override.max.poll.records': String(BATCH),
      },
    ],
  });
  // The rate runs from the first record committed to the last: offsets are committed only after
  // RethinkDB acknowledged the records, so this is delivered, not fetched, throughput.
  const run = await measureUntilCommitted(worker, kafka, {
    group: `connect-${name}`,
    topic,
    records: RECORDS,
    intervalMs: 100,
  });
  await worker.stop();
  const { started, first, firstCount, done } = run;
  return {
    // A run so short that the first commit covered everything has no first → last span: its whole time.
    seconds: firstCount < RECORDS ? (done - first) / 1000 : (done - started) / 1000,
    rate: rateAfterFirstCommit(run),
    cpuMicrosPerRecord: (run.cpuSeconds / RECORDS) * 1e6,
    peakRssMiB: run.peakRssMiB,
  };
}

async function main(): Promise<void> {
  const services = await ensureServices(['kafka', 'rethinkdb']);
  const bootstrap = services['kafka']!['bootstrapServers'] as string;
  const host = services['rethinkdb']!['host'] as string;
  const port = services['rethinkdb']!['port'] as number;
  const testDouble = services['rethinkdb']!['testDouble'] === true;
  const db = uniqueName('bench').replace(/-/g, '_');
  const conn = await r.connect({ host, port });
  await r.dbCreate(db).run(conn);
  const kafka = new KafkaTestClient(bootstrap);
  const values = Array.from({ length: RECORDS }, (_, i) => benchRecord(i));
  console.log(
    `records: ${RECORDS} of ${values[0]!.length} bytes; RethinkDB ${testDouble ? 'test double' : 'server'} at ${host}:${port}; ${PAIRS} pairs`,
  );
  try {
    const topic = uniqueName('bench-rethink');
    await kafka.createTopic(topic);
    await kafka.produce(
      topic,
      values.map((value) => ({ value })),
      500,
    );
    // The sink's documents: the value plus the id it derives from the coordinates.
    const docs = values.map((v, i) => ({ ...(JSON.parse(v) as object), id: `${topic}-0-${i}` }));
    const runs: BenchRun[] = [];
    for (let round = 1; round <= PAIRS; round++) {
      const raw = await rawInsert(conn, db, `raw_${round}`, docs);
      console.log(`  pair ${round}: raw insert ${raw.toFixed(0)} docs/s`);
      runs.push({
        case: 'insert',
        subject: 'raw',
        round,
        records: RECORDS,
        seconds: RECORDS / raw,
        recordsPerSec: raw,
      });
      const sluice = await sluiceRun(kafka, bootstrap, host, port, db, topic, `e2e_${round}`);
      const written = (await r.db(db).table(`e2e_${round}`).count().run(conn)) as number;
      if (written !== RECORDS)
        throw new Error(`expected ${RECORDS} documents in e2e_${round}, found ${written}`);
      console.log(
        `  pair ${round}: sluice ${sluice.rate.toFixed(0)} records/s (${(sluice.rate / raw).toFixed(2)}x), ` +
          `${sluice.cpuMicrosPerRecord.toFixed(1)} µs CPU/record, peak RSS ${sluice.peakRssMiB.toFixed(0)} MiB`,
      );
      runs.push({
        case: 'insert',
        subject: 'sluice',
        round,
        records: RECORDS,
        seconds: sluice.seconds,
        recordsPerSec: sluice.rate,
        cpuSecondsPerMillion: sluice.cpuMicrosPerRecord,
        peakRssMiB: sluice.peakRssMiB,
      });
    }
    writeBenchResult({
      suite: 'rethinkdb',
      config: {
        records: RECORDS,
        recordBytes: values[0]!.length,
        rounds: PAIRS,
        batch: BATCH,
        server: testDouble ? 'rethinkdb test double' : 'rethinkdb',
      },
      runs,
      compare: [['sluice', 'raw']],
      notes: [
        'raw: batched insert queries with the same driver, documents and batch size; sluice: `sluice standalone` from a pre-filled topic, ' +
          'first → last offset commit (committed only after RethinkDB acknowledged). Target >= 0.7x raw.' +
          (testDouble
            ? ' Against the RethinkDB test double (no real server installs here): Sluice overhead over the driver, not RethinkDB speed.'
            : ''),
      ],
    });
  } finally {
    await r
      .dbDrop(db)
      .run(conn)
      .catch(() => undefined);
    await conn.close();
    await kafka.close();
  }
}

await main();
