#!/usr/bin/env node
// Packages as users get them: `npm pack` core, kcql and every sink, install the tarballs into a new
// folder outside the workspace (no workspace links, dependencies from the registry), and there:
//   - `npx sluice plugins` must list every sink with its version;
//   - `npx sluice standalone` with examples/worker.properties and the MongoDB example connector, only
//     pointed at a topic and database of its own, must move records from test-infra's Kafka into its
//     MongoDB.
// Needs the built packages (npm run build) and the kafka + mongodb services (npm run infra -- up ...).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const { Kafka, logLevel } = require('kafkajs');
const { MongoClient } = createRequire(path.join(root, 'packages/sink-mongodb/package.json'))('mongodb');

const RECORDS = 200;
const started = Date.now();
const say = (line) => console.log(`[tarballs ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}`);

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const manifest = (dir) => JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
const sinkDirs = readdirSync(path.join(root, 'packages'))
  .filter((d) => d.startsWith('sink-'))
  .map((d) => `packages/${d}`);
const packages = ['packages/kcql', 'packages/core', ...sinkDirs];

const work = mkdtempSync(path.join(tmpdir(), 'sluice-tarballs-'));
const tarballs = path.join(work, 'tarballs');
const app = path.join(work, 'app');
mkdirSync(tarballs);
mkdirSync(app);
let worker;
try {
  for (const dir of packages) {
    const out = run('npm', ['pack', '--silent', '--pack-destination', tarballs], path.join(root, dir));
    say(`packed ${out.trim().split('\n').pop()}`);
  }
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'sluice-user', private: true, type: 'module' }),
  );
  const files = readdirSync(tarballs).map((f) => path.join(tarballs, f));
  say(`installing ${files.length} tarballs into ${app} (dependencies from the registry)`);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files], app);

  const listing = run('npx', ['--no-install', 'sluice', 'plugins'], app);
  for (const dir of sinkDirs) {
    const { name, version } = manifest(dir);
    if (!listing.includes(`${name} ${version}`)) {
      throw new Error(`sluice plugins does not list ${name} ${version}; it printed:\n${listing}`);
    }
  }
  if (/could not load/.test(listing)) throw new Error(`sluice plugins could not load a package:\n${listing}`);
  say(`sluice plugins lists all ${sinkDirs.length} sinks with their versions`);

  // The MongoDB example as it is, but for its topic, database and REST port.
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const topic = `sluice-tarballs-${suffix}`;
  const db = `sluice_tarballs_${suffix}`;
  const example = readFileSync(path.join(root, 'examples/mongodb/mongo-sink-json.properties'), 'utf8')
    .replaceAll('sluice-demo-json', topic)
    .replace(/^connect\.mongo\.db=.*$/m, `connect.mongo.db=${db}`);
  writeFileSync(path.join(app, 'mongo.properties'), example);
  const workerProps = readFileSync(path.join(root, 'examples/worker.properties'), 'utf8')
    .replace(/^listeners=.*$/m, 'listeners=http://127.0.0.1:0')
    .replace(/^offset\.flush\.interval\.ms=.*$/m, 'offset.flush.interval.ms=1000');
  writeFileSync(path.join(app, 'worker.properties'), workerProps);

  const kafka = new Kafka({ brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: RECORDS }, (_, id) => ({
      value: JSON.stringify({ id, product: `p${id}`, quantity: id % 7, price: id / 4 }),
    })),
  });
  await producer.disconnect();

  let output = '';
  // The bin npm linked, as `npx sluice` runs it, started directly so that SIGTERM reaches the worker.
  worker = spawn(
    path.join(app, 'node_modules', '.bin', 'sluice'),
    ['standalone', 'worker.properties', 'mongo.properties'],
    {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  worker.stdout.on('data', (d) => (output += d));
  worker.stderr.on('data', (d) => (output += d));
  const client = new MongoClient('mongodb://127.0.0.1:27017', { serverSelectionTimeoutMS: 5000 });
  try {
    const orders = client.db(db).collection('orders_json');
    const deadline = Date.now() + 120_000;
    let count = 0;
    while ((count = await orders.countDocuments()) < RECORDS) {
      if (worker.exitCode !== null)
        throw new Error(`the worker exited (${worker.exitCode}):\n${output.slice(-3000)}`);
      if (Date.now() > deadline)
        throw new Error(`only ${count} of ${RECORDS} documents after 120 s:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const doc = await orders.findOne({ _id: 7 });
    if (doc?.product !== 'p7') throw new Error(`document 7 is ${JSON.stringify(doc)}`);
    say(`sluice standalone from the tarballs moved ${RECORDS} records from Kafka into MongoDB`);
    await client.db(db).dropDatabase();
  } finally {
    await client.close();
  }
} finally {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGTERM');
    const timer = setTimeout(() => worker.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    say(`worker stopped (exit ${worker.exitCode ?? worker.signalCode})`);
  }
  rmSync(work, { recursive: true, force: true });
}
