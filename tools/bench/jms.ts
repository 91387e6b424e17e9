// `npm run bench -- jms`: end-to-end records/s from a pre-filled topic of ~1 KB JSON records to
// ActiveMQ through `sluice standalone` and @sluice/sink-jms (WITHFORMAT JSON, a JMS topic), beside the
// raw STOMP publish rate of the client the sink uses (stompit) sending the same frames (same headers,
// same bodies) in transactions of the same size with a receipt per COMMIT, to the same broker. Raw and
// sink runs alternate (BENCH_REPS pairs, default 3); the ratio is the median of the per-pair ratios.
// The JMS topic has no subscriber, so the broker drops what it receives: the measure is the sending
// path, not the broker's storage (a queue would fill the test broker's small heap and throttle both).
// Prints records/s, the ratio, CPU µs per record and the worker's peak RSS, and writes the result to
// bench/results/jms-<time>.json. BENCH_RECORDS (default 100000) sets the number of records.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, uniqueName } from '@sluice/test-utils';
import type * as Stompit from 'stompit';
import { benchRecord, measureUntilCommitted, median, rateAfterFirstCommit } from './_measure.js';
import { alternatedRuns, writeBenchResult } from './_results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The client the sink uses (its own dependency), not whatever version is hoisted to the root.
const stompit = createRequire(path.join(root, 'packages/sink-jms/package.json'))('stompit') as typeof Stompit;

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
/** Records per put() (Kafka Connect's max.poll.records default), so records per transaction for both. */
const BATCH = 500;

interface Run {
  rate: number;
  cpuMicrosPerRecord: number;
}

/** The raw client: the sink's frames, BATCH per transaction, the next transaction after the COMMIT receipt. */
async function rawPublish(host: string, port: number, bodies: readonly string[]): Promise<Run> {
  const destination = `/topic/${uniqueName('bench.raw')}`;
  const client = await new Promise<Stompit.Client>((resolve, reject) =>
    stompit.connect({ host, port, connectHeaders: { host, 'heart-beat': '0,0' } }, (e, c) =>
      e ? reject(e) : resolve(c),
    ),
  );
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let transaction = 0;
  for (let from = 0; from < bodies.length; from += BATCH) {
    const tx = client.begin({ transaction: `raw-${++transaction}` });
    for (const body of bodies.slice(from, from + BATCH)) {
      // The headers the sink sends for a JSON record with no key and no Kafka headers.
      tx.send({ destination, persistent: 'true', JMSXGroupID: '0' }).end(body);
    }
    await new Promise<void>((resolve) =>
      tx.commit({ onReceipt: resolve } as unknown as Stompit.Client.SendOptions),
    );
  }
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  client.disconnect();
  return { rate: bodies.length / elapsed, cpuMicrosPerRecord: (cpu.user + cpu.system) / bodies.length };
}

interface SinkRun extends Run {
  withStartup: number;
  rssMiB: number;
}

async function endToEnd(
  bootstrap: string,
  stompUrl: string,
  topic: string,
  kafka: KafkaTestClient,
): Promise<SinkRun> {
  const name = uniqueName('bench-jms');
  const target = uniqueName('bench.e2e');
  const started = performance.now();
  const worker = await StandaloneWorker.start({
    worker: {
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.flush.interval.ms': '100',
    },
    connectors: [
      {
        name,
        'connector.class': 'JMSSinkConnector',
        topics: topic,
        'connect.jms.url': stompUrl,
        'connect.jms.kcql': `INSERT INTO ${target} SELECT * FROM ${topic} WITHFORMAT JSON WITHTYPE TOPIC`,
      },
    ],
  });
  // Progress from the committed offsets: committed only once the broker confirmed the COMMIT.
  const run = await measureUntilCommitted(worker, kafka, {
    group: `connect-${name}`,
    topic,
    records: RECORDS,
    intervalMs: 50,
  });
  await worker.stop();
  return {
    rate: rateAfterFirstCommit(run),
    withStartup: RECORDS / ((run.done - started) / 1000),
    // From the first commit on, like the rate: the worker's start-up is not counted.
    cpuMicrosPerRecord: (run.cpuSecondsAfterFirst * 1e6) / (RECORDS - run.firstCount || RECORDS),
    rssMiB: run.peakRssMiB,
  };
}

async function main(): Promise<void> {
  const services = await ensureServices(['kafka', 'activemq']);
  const bootstrap = services['kafka']!['bootstrapServers'] as string;
  const activemq = services['activemq']!;
  const stompUrl = activemq['url'] as string;
  const values = Array.from({ length: RECORDS }, (_, i) => benchRecord(i));
  console.log(
    `records: ${RECORDS} of ${values[0]!.length} bytes; broker ${stompUrl}; ${BATCH} per transaction`,
  );

  const kafka = new KafkaTestClient(bootstrap);
  const topic = uniqueName('bench-jms');
  const pairs: { raw: Run; sink: SinkRun; ratio: number }[] = [];
  try {
    await kafka.createTopic(topic);
    const filled = performance.now();
    await kafka.produce(
      topic,
      values.map((value) => ({ value })),
      500,
    );
    console.log(`  topic filled in ${((performance.now() - filled) / 1000).toFixed(1)} s`);
    for (let rep = 1; rep <= REPS; rep++) {
      const raw = await rawPublish(activemq.host, activemq.port, values);
      console.log(
        `  [${rep}/${REPS}] raw stompit: ${raw.rate.toFixed(0)} msg/s, ${raw.cpuMicrosPerRecord.toFixed(1)} µs CPU/msg`,
      );
      const sink = await endToEnd(bootstrap, stompUrl, topic, kafka);
      console.log(
        `  [${rep}/${REPS}] sluice JMS sink: ${sink.rate.toFixed(0)} records/s (${sink.withStartup.toFixed(0)} with start-up), ` +
          `${sink.cpuMicrosPerRecord.toFixed(1)} µs worker CPU/record, peak RSS ${sink.rssMiB.toFixed(0)} MiB`,
      );
      pairs.push({ raw, sink, ratio: sink.rate / raw.rate });
    }
  } finally {
    await kafka.close();
  }

  const result = {
    benchmark: 'jms',
    date: new Date().toISOString(),
    records: RECORDS,
    recordBytes: values[0]!.length,
    transactionSize: BATCH,
    raw: {
      rate: median(pairs.map((p) => p.raw.rate)),
      cpuMicrosPerRecord: median(pairs.map((p) => p.raw.cpuMicrosPerRecord)),
    },
    sink: {
      rate: median(pairs.map((p) => p.sink.rate)),
      cpuMicrosPerRecord: median(pairs.map((p) => p.sink.cpuMicrosPerRecord)),
      peakRssMiB: Math.max(...pairs.map((p) => p.sink.rssMiB)),
    },
    ratio: median(pairs.map((p) => p.ratio)),
    target: 0.7,
    pairs,
  };
  console.log('');
  console.log('| measure | records/s | CPU µs/record |');
  console.log('|---|---|---|');
  console.log(
    `| raw stompit, same frames, a transaction of ${BATCH} with a COMMIT receipt | ${result.raw.rate.toFixed(0)} | ${result.raw.cpuMicrosPerRecord.toFixed(1)} (client) |`,
  );
  console.log(
    `| sluice end to end (first → last commit) | ${result.sink.rate.toFixed(0)} | ${result.sink.cpuMicrosPerRecord.toFixed(1)} (worker) |`,
  );
  console.log(
    `ratio (median of ${REPS} pairs): ${result.ratio.toFixed(2)}x (target >= 0.7x); worker peak RSS ${result.sink.peakRssMiB.toFixed(0)} MiB`,
  );
  writeBenchResult({
    suite: 'jms',
    config: { records: RECORDS, recordBytes: values[0]!.length, rounds: REPS, transactionSize: BATCH },
    runs: alternatedRuns(
      'publish',
      RECORDS,
      pairs.map((p) => ({
        // The raw client's CPU is the benchmark process's own, measured around its publishing only.
        raw: { recordsPerSec: p.raw.rate, cpuSecondsPerMillion: p.raw.cpuMicrosPerRecord },
        sluice: {
          recordsPerSec: p.sink.rate,
          cpuSecondsPerMillion: p.sink.cpuMicrosPerRecord,
          peakRssMiB: p.sink.rssMiB,
        },
      })),
    ),
    compare: [['sluice', 'raw']],
    notes: [
      `raw: stompit with the sink's frames, a transaction of ${BATCH} with a COMMIT receipt; sluice: \`sluice standalone\` first → last offset commit. Target >= ${result.target}x raw.`,
    ],
  });
}

await main();
