#!/usr/bin/env node
// `npm run demo`: Sluice end to end on a fresh clone. Builds what is missing, brings up Kafka and the
// schema registry (test-infra), starts `sluice standalone` with the example connectors of examples/,
// produces Avro (schema registry) and schemaless JSON records, shows them arriving, prints the REST
// status and stops cleanly.
//
// To add a sink to the demo, add an entry to SINKS: its example connector file, the records to
// produce (json|avro), and how to count what arrived in the store.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RECORDS = Number(process.env.DEMO_RECORDS ?? 3000);
const runId = Date.now().toString(36);
const runDir = path.join('/tmp', `sluice-demo-${runId}`);
const CLI = path.join(root, 'packages/core/dist/cli/main.js');

/** Each demo sink: the example connector it runs, the topic it reads, the record format (json|avro), how to count arrivals. */
const SINKS = [
  {
    label: 'file sink (schemaless JSON)',
    example: 'file-sink-json.properties',
    topic: `sluice-demo-json-${runId}`,
    format: 'json',
    delivered: (config) => countLines(config.file),
  },
  {
    label: 'file sink (Avro + schema registry)',
    example: 'file-sink-avro.json',
    topic: `sluice-demo-avro-${runId}`,
    format: 'avro',
    delivered: (config) => countLines(config.file),
  },
];

function step(text) {
  process.stdout.write(`\n\x1b[1m▶ ${text}\x1b[0m\n`);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

function countLines(file) {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function bar(done, total, width = 30) {
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done).padStart(String(total).length)}/${total}`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Example connector file → config map (properties, JSON map or {name, config}). */
async function loadExample(file, parseConnectorFile) {
  return parseConnectorFile(readFileSync(path.join(root, 'examples', file), 'utf8'), file);
}

function toProperties(props) {
  return (
    Object.entries(props)
      .map(([k, v]) => `${k}=${String(v).replace(/\\/g, '\\\\')}`)
      .join('\n') + '\n'
  );
}

async function waitFor(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function main() {
  step('Building (only what is missing)');
  if (!existsSync(CLI) || !existsSync(path.join(root, 'test-infra/dist/index.js')))
    run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']);
  else console.log('  build found; run `npm run build` after changing the code');

  const infra = await import(pathToFileURL(path.join(root, 'test-infra/dist/index.js')).href);
  const core = await import(pathToFileURL(path.join(root, 'packages/core/dist/index.js')).href);
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const avro = (await import('avsc')).default;

  step('Starting Kafka and the schema registry (test-infra; first run installs them, later runs reuse them)');
  const services = await infra.ensureServices(['kafka', 'schema-registry']);
  const bootstrap = String(services.kafka.bootstrapServers);
  const registryUrl = String(services['schema-registry'].url);
  console.log(`  kafka ${bootstrap}, schema registry ${registryUrl}`);

  step(`Starting sluice standalone with ${SINKS.length} example connectors (run dir ${runDir})`);
  mkdirSync(runDir, { recursive: true });
  const port = await freePort();
  const worker = core.parseProperties(readFileSync(path.join(root, 'examples/worker.properties'), 'utf8'));
  Object.assign(worker, {
    'bootstrap.servers': bootstrap,
    listeners: `http://127.0.0.1:${port}`,
    'offset.flush.interval.ms': '2000',
  });
  writeFileSync(path.join(runDir, 'worker.properties'), toProperties(worker));
  const connectorFiles = [];
  for (const sink of SINKS) {
    const { name, config } = await loadExample(sink.example, core.parseConnectorFile);
    sink.name = `${name}-${runId}`;
    sink.config = { ...config, name: sink.name, topics: sink.topic };
    if ('file' in sink.config) sink.config.file = path.join(runDir, `${name}.txt`);
    if (sink.config['errors.deadletterqueue.topic.name'])
      sink.config['errors.deadletterqueue.topic.name'] += `-${runId}`;
    if (sink.config['value.converter.schema.registry.url'])
      sink.config['value.converter.schema.registry.url'] = registryUrl;
    const file = path.join(runDir, `${name}.json`);
    writeFileSync(file, JSON.stringify({ name: sink.name, config: sink.config }, null, 2));
    connectorFiles.push(file);
    console.log(`  ${sink.label}: ${sink.name} ← topic ${sink.topic}`);
  }
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'sluice-demo', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: SINKS.map((s) => ({ topic: s.topic, numPartitions: 3, replicationFactor: 1 })),
  });
  await admin.disconnect();

  const logFile = path.join(runDir, 'sluice.log');
  const log = createWriteStream(logFile);
  const sluice = spawn(
    process.execPath,
    [CLI, 'standalone', path.join(runDir, 'worker.properties'), ...connectorFiles],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  sluice.stdout.pipe(log);
  sluice.stderr.pipe(log);
  let exitCode = null;
  sluice.on('exit', (code) => (exitCode = code));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'the REST API',
    async () => {
      if (exitCode !== null)
        throw Object.assign(new Error(`sluice exited with ${exitCode}; see ${logFile}`), { fatal: true });
      return (await fetch(`${base}/health`)).ok;
    },
    60_000,
  ).catch((e) => {
    throw new Error(exitCode !== null ? `sluice exited with code ${exitCode}; see ${logFile}` : e.message);
  });
  console.log(`  REST API on ${base} (logs: ${logFile})`);

  step(`Producing ${RECORDS} records per topic`);
  const schema = {
    type: 'record',
    name: 'Order',
    namespace: 'sluice.demo',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'product', type: 'string' },
      { name: 'quantity', type: 'int' },
      { name: 'price', type: 'double' },
    ],
  };
  const avroType = avro.Type.forSchema(schema);
  const avroTopic = SINKS.find((s) => s.format === 'avro')?.topic;
  let schemaId = null;
  if (avroTopic) {
    const res = await fetch(`${registryUrl}/subjects/${avroTopic}-value/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(schema) }),
    });
    if (!res.ok) throw new Error(`Registering the Avro schema failed: ${res.status} ${await res.text()}`);
    schemaId = (await res.json()).id;
    console.log(`  Avro schema registered as id ${schemaId} (subject ${avroTopic}-value)`);
  }
  const encodeAvro = (order) => {
    const header = Buffer.alloc(5);
    header.writeUInt8(0, 0);
    header.writeInt32BE(schemaId, 1);
    return Buffer.concat([header, avroType.toBuffer(order)]);
  };
  const order = (i) => ({
    id: i,
    product: ['apples', 'pears', 'plums'][i % 3],
    quantity: 1 + (i % 7),
    price: Math.round(i * 37.5) / 100,
  });
  const producer = kafka.producer();
  await producer.connect();
  const started = Date.now();
  const BATCH = 250;
  for (let i = 0; i < RECORDS; i += BATCH) {
    const n = Math.min(BATCH, RECORDS - i);
    const batch = Array.from({ length: n }, (_, j) => order(i + j));
    await producer.sendBatch({
      topicMessages: SINKS.map((s) => ({
        topic: s.topic,
        messages: batch.map((o) => ({
          key: String(o.id),
          value: s.format === 'avro' ? encodeAvro(o) : JSON.stringify(o),
        })),
      })),
    });
    process.stdout.write(`\r  produced ${bar(i + n, RECORDS)}`);
  }
  await producer.disconnect();
  const produceSecs = (Date.now() - started) / 1000;
  console.log(`\n  ${RECORDS * SINKS.length} records in ${produceSecs.toFixed(1)} s`);

  step('Records arriving in the sinks');
  const t0 = Date.now();
  const allIn = () => SINKS.every((s) => s.delivered(s.config) >= RECORDS);
  while (!allIn() && Date.now() - t0 < 120_000 && exitCode === null) {
    const parts = SINKS.map(
      (s) =>
        `${s.name.replace(`-${runId}`, '')} ${bar(Math.min(s.delivered(s.config), RECORDS), RECORDS, 20)}`,
    );
    process.stdout.write(`\r  ${parts.join('   ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const secs = Math.max((Date.now() - started) / 1000, 0.001);
  console.log('');
  for (const s of SINKS) {
    const n = s.delivered(s.config);
    console.log(
      `  ${s.label.padEnd(36)} ${String(n).padStart(6)} records  (~${Math.round(n / secs)} records/s since producing started)`,
    );
  }
  const avroSink = SINKS.find((s) => s.config.file && s.format === 'avro');
  if (avroSink)
    console.log(`  first Avro line: ${readFileSync(avroSink.config.file, 'utf8').split('\n')[0]}`);
  const jsonSink = SINKS.find((s) => s.config.file && s.format !== 'avro');
  if (jsonSink)
    console.log(`  first JSON line: ${readFileSync(jsonSink.config.file, 'utf8').split('\n')[0]}`);

  step('REST status (GET /connectors?expand=status)');
  const status = await (await fetch(`${base}/connectors?expand=status`)).json();
  for (const [name, { status: s }] of Object.entries(status)) {
    console.log(
      `  ${name}: connector ${s.connector.state}, tasks ${s.tasks.map((t) => `${t.id}=${t.state}`).join(' ')}`,
    );
  }

  step('Stopping sluice (SIGTERM: flush, commit, close)');
  sluice.kill('SIGTERM');
  const code = exitCode ?? (await new Promise((r) => sluice.once('exit', r)));
  console.log(
    `  sluice exited with code ${code}. Services keep running; stop them with \`npm run infra -- down\`.`,
  );
  const missing = SINKS.filter((s) => s.delivered(s.config) < RECORDS);
  if (missing.length > 0 || code !== 0) {
    console.error(
      `Demo incomplete: ${missing.map((s) => s.label).join(', ') || 'unclean exit'}; see ${logFile}`,
    );
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(`\ndemo failed: ${e.message}`);
  process.exit(1);
});
