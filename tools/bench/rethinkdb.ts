// `npm run bench -- rethinkdb`: end-to-end records/s from a pre-filled topic of ~1 KB JSON records into
// RethinkDB through `sluice standalone` and @sluice/sink-rethinkdb, beside the raw rate of batched
// `insert` queries with the same driver, documents, ids, batch size, durability and conflict mode, at
// the raw side's best number of queries in flight (probed first, which also warms its JIT up). Raw and
// Sluice runs alternate BENCH_PAIRS times (default 3) against the benchmark's own server instance (a
// private one: fresh, nothing else writing to it, this checkout's test double when no real `rethinkdb`
// is on PATH). The headline is the median of the per-pair ratios, which one disturbed pair cannot move
// much; the ratio of the medians is stored beside it. Against test-infra's RethinkDB test double (no
// real server can be installed here) this measures Sluice's overhead over the driver, not RethinkDB's
// speed. BENCH_RECORDS (default 100000) sets the number of records; results go to
// bench/results/rethinkdb-<UTC time>.json.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices, startPrivateInstance } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, uniqueName } from '@sluice/test-utils';
import type * as Rethink from 'rethinkdb';
import { benchRecord, measureUntilCommitted, median, rateAfterFirstCommit } from './_measure.js';
import { alternatedRuns, writeBenchResult } from './_results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The driver the sink uses (its own dependency).
const r = createRequire(path.join(root, 'packages/sink-rethinkdb/package.json'))(
  'rethinkdb',
) as typeof Rethink;

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const BATCH = 1000;
/** Insert queries in flight on the raw side's connection (the driver pipelines them), probed first. */
const IN_FLIGHT = [1, 2, 4];
const PROBE_RECORDS = Math.min(RECORDS, 30_000);
/** Both sides write with the sink's defaults for INSERT. */
const INSERT_OPTIONS = { conflict: 'error', durability: 'hard', returnChanges: false } as never;

/** The raw ceiling: the same documents (with the id the sink gives them), one insert query per batch, `inFlight` at once. */
async function rawInsert(
  conn: Rethink.Connection,
  db: string,
  table: string,
  docs: readonly object[],
  inFlight: number,
): Promise<number> {
  await r.db(db).tableCreate(table).run(conn);
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < docs.length) {
      const batch = docs.slice(next, next + BATCH);
      next += BATCH;
      const result = (await r.db(db).table(table).insert(batch, INSERT_OPTIONS).run(conn)) as unknown as {
        inserted: number;
      };
      if (result.inserted !== batch.length) throw new Error(`raw insert: ${JSON.stringify(result)}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const rate = docs.length / ((performance.now() - started) / 1000);
  await r.db(db).tableDrop(table).run(conn);
  return rate;
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
      // Often, so that the last commit (the end of the timed span) closely follows the last write.
      'offset.flush.interval.ms': '100',
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
  const services = await ensureServices(['kafka']);
  const bootstrap = services['kafka']!['bootstrapServers'] as string;
  const rethink = await startPrivateInstance('rethinkdb');
  const { host, port } = rethink.info as unknown as { host: string; port: number };
  const testDouble = rethink.info['testDouble'] === true;
  const db = uniqueName('bench').replace(/-/g, '_');
  const conn = await r.connect({ host, port });
  await r.dbCreate(db).run(conn);
  const kafka = new KafkaTestClient(bootstrap);
  const values = Array.from({ length: RECORDS }, (_, i) => benchRecord(i));
  console.log(
    `records: ${RECORDS} of ${values[0]!.length} bytes; RethinkDB ${testDouble ? 'test double' : 'server'} at ${host}:${port} (the benchmark's own); ${PAIRS} pairs`,
  );
  const topic = uniqueName('bench-rethink');
  try {
    await kafka.createTopic(topic);
    await kafka.produce(
      topic,
      values.map((value) => ({ value })),
      500,
    );
    // The sink's documents: the value plus the id it derives from the coordinates.
    const docs = values.map((v, i) => ({ ...(JSON.parse(v) as object), id: `${topic}-0-${i}` }));

    const probe = docs.slice(0, PROBE_RECORDS);
    await rawInsert(conn, db, 'warmup', probe, 1);
    let inFlight = 1;
    let bestProbe = 0;
    for (const n of IN_FLIGHT) {
      const rate = await rawInsert(conn, db, `probe_${n}`, probe, n);
      console.log(`  raw probe: ${n} insert(s) in flight ${rate.toFixed(0)} docs/s`);
      if (rate > bestProbe) [bestProbe, inFlight] = [rate, n];
    }

    const pairs: { raw: number; sluice: SluiceRun; ratio: number }[] = [];
    for (let round = 1; round <= PAIRS; round++) {
      const raw = await rawInsert(conn, db, `raw_${round}`, docs, inFlight);
      console.log(`  pair ${round}: raw insert ${raw.toFixed(0)} docs/s (${inFlight} in flight)`);
      const table = `e2e_${round}`;
      const sluice = await sluiceRun(kafka, bootstrap, host, port, db, topic, table);
      const written = (await r.db(db).table(table).count().run(conn)) as number;
      if (written !== RECORDS) throw new Error(`expected ${RECORDS} documents in ${table}, found ${written}`);
      await r.db(db).tableDrop(table).run(conn);
      const ratio = sluice.rate / raw;
      console.log(
        `  pair ${round}: sluice ${sluice.rate.toFixed(0)} records/s (${ratio.toFixed(2)}x), ` +
          `${sluice.cpuMicrosPerRecord.toFixed(1)} µs CPU/record, peak RSS ${sluice.peakRssMiB.toFixed(0)} MiB`,
      );
      pairs.push({ raw, sluice, ratio });
    }
    const medianOfPairRatios = median(pairs.map((p) => p.ratio));
    const ratioOfMedians = median(pairs.map((p) => p.sluice.rate)) / median(pairs.map((p) => p.raw));
    console.log(
      `median of the ${PAIRS} pair ratios: ${medianOfPairRatios.toFixed(2)}x (target >= 0.7x); ratio of the medians ${ratioOfMedians.toFixed(2)}x; ` +
        `worker ${median(pairs.map((p) => p.sluice.cpuMicrosPerRecord)).toFixed(1)} µs CPU/record, peak RSS ${Math.max(...pairs.map((p) => p.sluice.peakRssMiB)).toFixed(0)} MiB`,
    );
    writeBenchResult({
      suite: 'rethinkdb',
      config: {
        records: RECORDS,
        recordBytes: values[0]!.length,
        rounds: PAIRS,
        batch: BATCH,
        rawInFlight: inFlight,
        sluiceInFlight: 1,
        server: testDouble ? 'rethinkdb test double (private instance)' : 'rethinkdb (private instance)',
        headline: 'median of the per-pair ratios',
      },
      runs: alternatedRuns(
        'insert',
        RECORDS,
        pairs.map((p) => ({
          raw: { recordsPerSec: p.raw },
          sluice: {
            recordsPerSec: p.sluice.rate,
            cpuSecondsPerMillion: p.sluice.cpuMicrosPerRecord,
            peakRssMiB: p.sluice.peakRssMiB,
          },
        })),
      ),
      compare: [['sluice', 'raw']],
      pairRatios: [['sluice', 'raw']],
      notes: [
        `Headline: the median of the per-pair ratios, ${medianOfPairRatios.toFixed(2)}x (target >= 0.7x); the ratio of the medians is ${ratioOfMedians.toFixed(2)}x. ` +
          `raw: batched insert queries with the same driver, documents, ids and batch size (conflict error, durability hard), ${inFlight} in flight (the best of ${IN_FLIGHT.join(', ')}); ` +
          "sluice: `sluice standalone` from a pre-filled topic, first → last offset commit (committed only after RethinkDB acknowledged), the sink's defaults (1 insert in flight)." +
          (testDouble
            ? ' Against the RethinkDB test double (no real server installs here): Sluice overhead over the driver, not RethinkDB speed.'
            : ''),
      ],
    });
  } finally {
    await kafka.deleteTopics(topic).catch(() => undefined);
    await conn.close().catch(() => undefined);
    await kafka.close();
    await rethink.dispose();
  }
}

await main();
