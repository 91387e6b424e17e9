// `npm run bench -- rethinkdb`: end-to-end records/s from a pre-filled topic of ~1 KB JSON records into
// RethinkDB through `sluice standalone` and @sluice/sink-rethinkdb, beside the raw rate of batched
// `insert` queries through the driver's public API with the same documents, ids, batch size,
// durability and conflict mode, at the raw side's best number of queries in flight (probed first,
// which also warms its JIT up). Each round runs raw, raw-wire (the same loop handing the driver the
// documents in the sink's wire form: the cheapest client, for information) and Sluice, BENCH_PAIRS
// rounds (default 3), against the benchmark's own server instance (a private one: fresh, nothing else
// writing to it, this checkout's test double when no real `rethinkdb` is on PATH). The headline is the
// median of the per-round sluice ÷ raw ratios, which one disturbed round cannot move much; the ratio
// of the medians is stored beside it. Against test-infra's RethinkDB test double (no real server can
// be installed here) this measures Sluice's overhead over the driver, not RethinkDB's speed.
// BENCH_RECORDS (default 100000) sets the number of records; results go to
// bench/results/rethinkdb-<UTC time>.json.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

/** The sink's wire-form functions (packages/sink-rethinkdb/src/wire.ts). */
interface WireForm {
  toWire(doc: object): object;
  wireArray(docs: object[]): unknown;
}

/** The raw ceiling: the same documents (with the id the sink gives them), one insert query per batch, `inFlight` at once. */
async function rawInsert(
  conn: Rethink.Connection,
  db: string,
  table: string,
  docs: readonly object[],
  inFlight: number,
  /** Hand the driver the documents in the sink's wire form (raw-wire). */
  wire?: WireForm,
): Promise<number> {
  await r.db(db).tableCreate(table).run(conn);
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < docs.length) {
      const batch = docs.slice(next, next + BATCH);
      next += BATCH;
      const payload = wire ? (wire.wireArray(batch.map((d) => wire.toWire(d))) as never) : batch;
      const result = (await r.db(db).table(table).insert(payload, INSERT_OPTIONS).run(conn)) as unknown as {
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
  /** The worker's CPU from its start (plugin loading included) ÷ records. */
  cpuMicrosPerRecord: number;
  /** From the first commit on ÷ the records committed after it: the per-record cost without the start. */
  steadyCpuMicrosPerRecord: number;
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
    steadyCpuMicrosPerRecord: (run.cpuSecondsAfterFirst / (RECORDS - run.firstCount)) * 1e6,
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

    // Each raw loop at its best number of queries in flight, probed on a part of the documents (which
    // also warms the benchmark process's JIT up before the first timed run).
    // - raw: the driver's public API, table.insert(documents): the reference of issue #22;
    // - raw-wire: the same loop handing the driver the documents in the sink's wire form (wire.ts: the
    //   same bytes, without r.expr building a term per field), i.e. the cheapest client of this server.
    //   It shows how much of the ratio the sink owes to skipping r.expr; it is stored, not the headline.
    const wire = (await import(
      pathToFileURL(path.join(root, 'packages/sink-rethinkdb/dist/wire.js')).href
    )) as WireForm;
    const probe = docs.slice(0, PROBE_RECORDS);
    await rawInsert(conn, db, 'warmup', probe, 1);
    const bestInFlight = async (label: string, form?: WireForm) => {
      let best = { inFlight: 1, rate: 0 };
      for (const n of IN_FLIGHT) {
        const rate = await rawInsert(conn, db, `probe_${label}_${n}`, probe, n, form);
        console.log(`  ${label} probe: ${n} insert(s) in flight ${rate.toFixed(0)} docs/s`);
        if (rate > best.rate) best = { inFlight: n, rate };
      }
      return best;
    };
    const rawBest = await bestInFlight('raw');
    const wireBest = await bestInFlight('raw-wire', wire);

    const pairs: { raw: number; rawWire: number; sluice: SluiceRun; ratio: number; wireRatio: number }[] = [];
    for (let round = 1; round <= PAIRS; round++) {
      const raw = await rawInsert(conn, db, `raw_${round}`, docs, rawBest.inFlight);
      const rawWire = await rawInsert(conn, db, `raw_wire_${round}`, docs, wireBest.inFlight, wire);
      console.log(
        `  round ${round}: raw insert ${raw.toFixed(0)} docs/s (${rawBest.inFlight} in flight), raw-wire ${rawWire.toFixed(0)} docs/s (${wireBest.inFlight} in flight)`,
      );
      const table = `e2e_${round}`;
      const sluice = await sluiceRun(kafka, bootstrap, host, port, db, topic, table);
      const written = (await r.db(db).table(table).count().run(conn)) as number;
      if (written !== RECORDS) throw new Error(`expected ${RECORDS} documents in ${table}, found ${written}`);
      await r.db(db).tableDrop(table).run(conn);
      const ratio = sluice.rate / raw;
      const wireRatio = sluice.rate / rawWire;
      console.log(
        `  round ${round}: sluice ${sluice.rate.toFixed(0)} records/s (${ratio.toFixed(2)}x raw, ${wireRatio.toFixed(2)}x raw-wire), ` +
          `${sluice.cpuMicrosPerRecord.toFixed(1)} µs CPU/record (${sluice.steadyCpuMicrosPerRecord.toFixed(1)} after the first commit), peak RSS ${sluice.peakRssMiB.toFixed(0)} MiB`,
      );
      pairs.push({ raw, rawWire, sluice, ratio, wireRatio });
    }
    const medianOfPairRatios = median(pairs.map((p) => p.ratio));
    const ratioOfMedians = median(pairs.map((p) => p.sluice.rate)) / median(pairs.map((p) => p.raw));
    const medianOfWireRatios = median(pairs.map((p) => p.wireRatio));
    console.log(
      `median of the ${PAIRS} pair ratios: ${medianOfPairRatios.toFixed(2)}x raw (target >= 0.7x), ${medianOfWireRatios.toFixed(2)}x raw-wire; ` +
        `ratio of the medians ${ratioOfMedians.toFixed(2)}x raw; worker ${median(pairs.map((p) => p.sluice.cpuMicrosPerRecord)).toFixed(1)} µs CPU/record ` +
        `(${median(pairs.map((p) => p.sluice.steadyCpuMicrosPerRecord)).toFixed(1)} after the first commit), peak RSS ${Math.max(...pairs.map((p) => p.sluice.peakRssMiB)).toFixed(0)} MiB`,
    );
    const runs = alternatedRuns(
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
    );
    pairs.forEach((p, i) =>
      runs.push({
        case: 'insert',
        subject: 'raw-wire',
        round: i + 1,
        records: RECORDS,
        seconds: RECORDS / p.rawWire,
        recordsPerSec: p.rawWire,
      }),
    );
    writeBenchResult({
      suite: 'rethinkdb',
      config: {
        records: RECORDS,
        recordBytes: values[0]!.length,
        rounds: PAIRS,
        batch: BATCH,
        rawInFlight: rawBest.inFlight,
        rawWireInFlight: wireBest.inFlight,
        sluiceInFlight: 2,
        sluiceCpuMicrosPerRecordAfterFirstCommit: Number(
          median(pairs.map((p) => p.sluice.steadyCpuMicrosPerRecord)).toFixed(1),
        ),
        server: testDouble ? 'rethinkdb test double (private instance)' : 'rethinkdb (private instance)',
        headline: 'sluice/raw, median of the per-round ratios',
      },
      runs,
      compare: [
        ['sluice', 'raw'],
        ['sluice', 'raw-wire'],
      ],
      pairRatios: [
        ['sluice', 'raw'],
        ['sluice', 'raw-wire'],
      ],
      notes: [
        `Headline: sluice ÷ raw, the median of the per-round ratios: ${medianOfPairRatios.toFixed(2)}x (target >= 0.7x); the ratio of the medians is ${ratioOfMedians.toFixed(2)}x. ` +
          `raw: batched insert queries through the driver's public API (table.insert(documents), r.expr per document) with the same documents, ids and batch size (conflict error, durability hard), ${rawBest.inFlight} in flight (the best of ${IN_FLIGHT.join(', ')}). ` +
          "sluice: `sluice standalone` from a pre-filled topic, first → last offset commit (committed only after RethinkDB acknowledged), the sink's defaults (2 queries in flight).",
        `raw-wire (information, not the target): the raw loop handing the driver the documents in the sink's ReQL wire form, the same bytes without r.expr, ${wireBest.inFlight} in flight: ` +
          `the cheapest client of this server. sluice ÷ raw-wire, median of the per-round ratios: ${medianOfWireRatios.toFixed(2)}x.` +
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
