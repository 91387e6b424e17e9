#!/usr/bin/env node
// `npm run demo`: Sluice end to end on a fresh clone. Builds what is missing, brings up Kafka, the schema
// registry, MongoDB (FerretDB) and Mosquitto (test-infra), starts `sluice standalone` with the example
// connectors of examples/ (file, MongoDB and MQTT sinks), produces Avro (schema registry) and schemaless
// JSON records, shows them arriving in each store, prints the REST status, stops the worker with SIGTERM
// and ends with a summary. Exit code 0 only when every sink received every record and the worker exited 0.
//
// To add a sink: add its example connector to SINKS (with the record format its topic carries) and, for a
// new kind of store, an entry to STORES saying which services it needs, how to point the example at this
// run's servers, and how to count what arrived.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RECORDS = Number(process.env.DEMO_RECORDS ?? 3000);
const ARRIVAL_TIMEOUT_MS = Number(process.env.DEMO_TIMEOUT_S ?? 90) * 1000;
const runId = Date.now().toString(36);
const runDir = path.join('/tmp', `sluice-demo-${runId}`);
const CLI = path.join(root, 'packages/core/dist/cli/main.js');
const TTY = process.stdout.isTTY;

/**
 * The demo's connectors: an example file of examples/, the store it writes to (a key of STORES) and the
 * format of the records on its topic. Sinks whose examples name the same topic read the same records.
 */
const SINKS = [
  { label: 'file, JSON', example: 'file-sink-json.properties', store: 'file', format: 'json' },
  { label: 'file, Avro', example: 'file-sink-avro.json', store: 'file', format: 'avro' },
  {
    label: 'MongoDB, JSON UPSERT',
    example: 'mongodb/mongo-sink-json.properties',
    store: 'mongodb',
    format: 'json',
  },
  {
    label: 'MongoDB, Avro INSERT',
    example: 'mongodb/mongo-sink-avro.json',
    store: 'mongodb',
    format: 'avro',
  },
  { label: 'MQTT, JSON', example: 'mqtt/mqtt-sink-json.properties', store: 'mqtt', format: 'json' },
  { label: 'MQTT, Avro projected', example: 'mqtt/mqtt-sink-avro.json', store: 'mqtt', format: 'avro' },
];

/**
 * Per kind of store: the test-infra services it needs, `prepare` (the example's config → this run's: its
 * own file / database / MQTT topic on test-infra's servers) and `watch` (→ { count, sample }, ready before
 * the first record is produced).
 */
const STORES = {
  file: {
    plugin: null,
    services: [],
    prepare: (config) => ({ ...config, file: path.join(runDir, `${config.name}.txt`) }),
    watch: async (config) => ({
      count: () => countLines(config.file),
      sample: () => (existsSync(config.file) ? readFileSync(config.file, 'utf8').split('\n')[0] : ''),
    }),
  },
  mongodb: {
    plugin: 'packages/sink-mongodb',
    services: ['mongodb'],
    // A database per run, so that counts start at 0 and earlier runs stay inspectable.
    prepare: (config, { services }) => ({
      ...config,
      'connect.mongo.connection': services.mongodb.url,
      'connect.mongo.db': `${config['connect.mongo.db']}_${runId}`,
    }),
    watch: async (config, ctx) => {
      const db = config['connect.mongo.db'];
      const name = ctx.kcqlTarget(config['connect.mongo.kcql']);
      const collection = (await ctx.mongo()).db(db).collection(name);
      return {
        count: () => collection.countDocuments(),
        sample: async () =>
          `${db}.${name}: ${JSON.stringify(await collection.findOne({}, { projection: { _id: 0 } }))}`,
      };
    },
  },
  mqtt: {
    plugin: 'packages/sink-mqtt',
    services: ['mosquitto'],
    // The example's MQTT topic + /<run id>, so that the subscriber sees only this run's messages.
    prepare: (config, { services, kcqlTarget }) => {
      const kcql = config['connect.mqtt.kcql'];
      const target = kcqlTarget(kcql);
      return {
        ...config,
        'connect.mqtt.hosts': `tcp://${services.mosquitto.host}:${services.mosquitto.port}`,
        'connect.mqtt.kcql': kcql.replace(
          new RegExp(`(\\bINTO\\s+)${escapeRegExp(target)}(?=\\s)`, 'i'),
          `$1${target}/${runId}`,
        ),
      };
    },
    watch: async (config, ctx) => {
      const topic = ctx.kcqlTarget(config['connect.mqtt.kcql']);
      const client = await ctx.mqtt();
      let received = 0;
      let first = '';
      client.on('message', (t, payload) => {
        if (t !== topic) return;
        if (received++ === 0) first = payload.toString('utf8');
      });
      // QoS 1 so that the broker does not drop messages while the demo is busy counting.
      await client.subscribeAsync(topic, { qos: 1 });
      return { count: () => received, sample: () => `${topic}: ${first}` };
    },
  },
};

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** ANSI style (1 bold, 31 red, 32 green) on a terminal only, so that logs of the demo stay plain. */
function style(code, text) {
  return TTY ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function step(text) {
  process.stdout.write(`\n${style(1, `▶ ${text}`)}\n`);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function countLines(file) {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function bar(done, total, width = 30) {
  const filled = Math.round((Math.min(done, total) / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done).padStart(String(total).length)}/${total}`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

function toProperties(props) {
  return (
    Object.entries(props)
      .map(([k, v]) => `${k}=${String(v).replace(/\\/g, '\\\\')}`)
      .join('\n') + '\n'
  );
}

function truncate(text, width) {
  const oneLine = String(text).replace(/\s+/g, ' ');
  return oneLine.length > width ? `${oneLine.slice(0, width - 1)}…` : oneLine;
}

async function waitFor(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      if (/** @type {{ fatal?: boolean }} */ (e).fatal) throw e;
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(300);
  }
}

/** The example's config for this run: unique connector, topic, DLQ and store names on test-infra's servers. */
function prepareConnector(sink, example, ctx) {
  const exampleTopic = example.config.topics;
  if (!exampleTopic || exampleTopic.includes(','))
    throw new Error(`examples/${sink.example} must read exactly one topic (topics=...)`);
  sink.topic = `${exampleTopic}-${runId}`;
  const config = { ...example.config, name: `${example.name}-${runId}`, topics: sink.topic };
  const dlq = config['errors.deadletterqueue.topic.name'];
  if (dlq) config['errors.deadletterqueue.topic.name'] = `${dlq}-${runId}`;
  if (config['value.converter.schema.registry.url'])
    config['value.converter.schema.registry.url'] = ctx.registryUrl;
  // Stream Reactor's KCQL names the Kafka topic again (FROM <topic>).
  for (const key of Object.keys(config).filter((k) => k.endsWith('.kcql')))
    config[key] = config[key].replace(
      new RegExp(`(\\bFROM\\s+)${escapeRegExp(exampleTopic)}(?![\\w.-])`, 'gi'),
      `$1${sink.topic}`,
    );
  return STORES[sink.store].prepare(config, ctx);
}

async function main() {
  const sinkPlugins = [...new Set(SINKS.map((s) => STORES[s.store].plugin).filter(Boolean))];
  step('Building (only what is missing)');
  const built = [CLI, path.join(root, 'test-infra/dist/index.js')]
    .concat(sinkPlugins.map((p) => path.join(root, p, 'dist/index.js')))
    .every((f) => existsSync(f));
  if (!built) run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']);
  else console.log('  build found; run `npm run build` after changing the code');

  const load = (file) => import(pathToFileURL(path.join(root, file)).href);
  const infra = await load('test-infra/dist/index.js');
  const core = await load('packages/core/dist/index.js');
  const { parseKcql } = await load('packages/kcql/dist/index.js');
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const avro = (await import('avsc')).default;
  // Store clients come from the sink packages' own dependencies.
  const requireFrom = (pkg) => createRequire(path.join(root, pkg, 'package.json'));

  const serviceNames = [
    ...new Set(['kafka', 'schema-registry', ...SINKS.flatMap((s) => STORES[s.store].services)]),
  ];
  step(
    `Starting ${serviceNames.join(', ')} (test-infra; the first run installs them, later runs reuse them)`,
  );
  const services = await infra.ensureServices(serviceNames);
  for (const name of serviceNames) {
    const info = services[name];
    console.log(`  ${name.padEnd(16)} ${info.url ?? info.bootstrapServers ?? `${info.host}:${info.port}`}`);
  }

  const closers = [];
  let mongoClient;
  let mqttClient;
  const ctx = {
    services,
    registryUrl: String(services['schema-registry'].url),
    kcqlTarget: (kcql) => {
      const target = parseKcql(kcql).target;
      if (!target) throw new Error(`KCQL without INTO target: ${kcql}`);
      return target;
    },
    mongo: async () => {
      if (!mongoClient) {
        const { MongoClient } = requireFrom('packages/sink-mongodb')('mongodb');
        mongoClient = await new MongoClient(services.mongodb.url).connect();
        closers.push(() => mongoClient.close());
      }
      return mongoClient;
    },
    mqtt: async () => {
      if (!mqttClient) {
        const mqtt = requireFrom('packages/sink-mqtt')('mqtt');
        mqttClient = await mqtt.connectAsync(services.mosquitto.url, { clientId: `sluice-demo-${runId}` });
        closers.push(() => mqttClient.endAsync());
      }
      return mqttClient;
    },
  };

  let sluice;
  let exitCode = null;
  const logFile = path.join(runDir, 'sluice.log');
  try {
    step(`Starting sluice standalone with ${SINKS.length} example connectors (run dir ${runDir})`);
    mkdirSync(runDir, { recursive: true });
    const port = await freePort();
    const worker = core.parseProperties(readFileSync(path.join(root, 'examples/worker.properties'), 'utf8'));
    Object.assign(worker, {
      'bootstrap.servers': String(services.kafka.bootstrapServers),
      listeners: `http://127.0.0.1:${port}`,
      'offset.flush.interval.ms': '2000',
      'offset.storage.file.filename': path.join(runDir, 'offsets'),
    });
    writeFileSync(path.join(runDir, 'worker.properties'), toProperties(worker));
    const connectorFiles = [];
    for (const sink of SINKS) {
      const example = core.parseConnectorFile(
        readFileSync(path.join(root, 'examples', sink.example), 'utf8'),
        sink.example,
      );
      sink.config = prepareConnector(sink, example, ctx);
      sink.name = sink.config.name;
      sink.watcher = await STORES[sink.store].watch(sink.config, ctx);
      const file = path.join(runDir, `${example.name}.json`);
      writeFileSync(file, JSON.stringify({ name: sink.name, config: sink.config }, null, 2));
      connectorFiles.push(file);
      console.log(`  ${sink.label.padEnd(22)} examples/${sink.example.padEnd(35)} ← ${sink.topic}`);
    }
    const topics = new Map(SINKS.map((s) => [s.topic, s.format]));
    if (topics.size !== new Set(SINKS.map((s) => `${s.topic}/${s.format}`)).size)
      throw new Error('Two examples read the same topic with different record formats');

    const kafka = new Kafka({
      brokers: [String(services.kafka.bootstrapServers)],
      clientId: 'sluice-demo',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [...topics.keys()].map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
    });
    await admin.disconnect();

    const log = createWriteStream(logFile);
    sluice = spawn(
      process.execPath,
      [CLI, 'standalone', path.join(runDir, 'worker.properties'), ...connectorFiles],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    sluice.stdout.pipe(log);
    sluice.stderr.pipe(log);
    const exited = new Promise((resolve) => sluice.once('exit', (code, signal) => resolve(code ?? signal)));
    exited.then((code) => (exitCode = code));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      'the REST API',
      async () => {
        if (exitCode !== null)
          throw Object.assign(new Error(`sluice exited with ${exitCode}; see ${logFile}`), { fatal: true });
        return (await fetch(`${base}/health`)).ok;
      },
      60_000,
    );
    console.log(`  REST API on ${base} (logs: ${logFile})`);

    step(`Producing ${RECORDS} records to each of ${topics.size} topics`);
    const schema = {
      type: 'record',
      name: 'Order',
      namespace: 'sluice.demo',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'product', type: 'string' },
        { name: 'quantity', type: 'int' },
        { name: 'price', type: 'double' },
      ],
    };
    const avroType = avro.Type.forSchema(/** @type {import('avsc').Schema} */ (schema));
    const schemaIds = new Map();
    for (const [topic, format] of topics) {
      if (format !== 'avro') continue;
      const res = await fetch(`${ctx.registryUrl}/subjects/${topic}-value/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: JSON.stringify(schema) }),
      });
      if (!res.ok) throw new Error(`Registering the Avro schema failed: ${res.status} ${await res.text()}`);
      schemaIds.set(topic, /** @type {{ id: number }} */ (await res.json()).id);
      console.log(`  Avro schema registered as id ${schemaIds.get(topic)} (subject ${topic}-value)`);
    }
    const encodeAvro = (topic, order) => {
      const header = Buffer.alloc(5);
      header.writeUInt8(0, 0);
      header.writeInt32BE(schemaIds.get(topic), 1);
      return Buffer.concat([header, avroType.toBuffer(order)]);
    };
    // String ids: FerretDB (test-infra's MongoDB) finds a string _id through its index, while a numeric
    // _id makes every upsert scan the collection (measured: 3000 upserts take 15 s vs several minutes).
    const order = (i) => ({
      id: `order-${String(i).padStart(6, '0')}`,
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
        topicMessages: [...topics].map(([topic, format]) => ({
          topic,
          messages: batch.map((o) => ({
            key: o.id,
            value: format === 'avro' ? encodeAvro(topic, o) : JSON.stringify(o),
          })),
        })),
      });
      if (TTY) process.stdout.write(`\r  produced ${bar(i + n, RECORDS)}`);
    }
    await producer.disconnect();
    console.log(
      `${TTY ? '\n' : ''}  ${RECORDS * topics.size} records in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    step('Records arriving in the stores');
    // Each store is counted on its own, so that a slow count (FerretDB under load) does not delay the
    // moment the others are seen complete.
    const countOnce = async (s) => {
      s.delivered = await Promise.resolve(s.watcher.count()).catch(() => s.delivered);
      if (s.doneAt === undefined && s.delivered >= RECORDS) s.doneAt = Date.now();
    };
    const deadline = Date.now() + ARRIVAL_TIMEOUT_MS;
    let finished = false;
    Promise.all(
      SINKS.map(async (s) => {
        s.delivered = 0;
        while (exitCode === null && Date.now() < deadline && s.delivered < RECORDS) {
          await countOnce(s);
          if (s.delivered < RECORDS) await sleep(200);
        }
      }),
    ).then(() => (finished = true));
    let drawn = false;
    let lastLine = 0;
    const render = (final) => {
      if (TTY) {
        if (drawn) process.stdout.write(`\x1b[${SINKS.length}A`);
        for (const s of SINKS)
          process.stdout.write(`\r\x1b[2K  ${s.label.padEnd(22)} ${bar(s.delivered, RECORDS)}\n`);
        drawn = true;
      } else if (final || Date.now() - lastLine >= 3000) {
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        console.log(`  ${secs.padStart(5)} s  ${SINKS.map((s) => `${s.label}: ${s.delivered}`).join(', ')}`);
        lastLine = Date.now();
      }
    };
    while (!finished) {
      render(false);
      await sleep(250);
    }
    render(true);
    for (const s of SINKS) {
      const sample = await Promise.resolve(s.watcher.sample()).catch((e) => `(${e.message})`);
      console.log(`  ${s.label.padEnd(22)} ${truncate(sample, 90)}`);
    }

    step('REST status (GET /connectors?expand=status)');
    /** @type {Record<string, any>} */
    const status =
      exitCode === null
        ? /** @type {Record<string, any>} */ (await (await fetch(`${base}/connectors?expand=status`)).json())
        : {};
    const states = Object.values(status).map(({ status: s }) => s);
    const tasks = states.flatMap((s) => s.tasks);
    const running = (list) => list.filter((x) => x.state === 'RUNNING').length;
    console.log(
      `  ${states.length} connectors (${running(states.map((s) => s.connector))} RUNNING), ${tasks.length} tasks (${running(tasks)} RUNNING); per sink in the summary`,
    );
    for (const sink of SINKS) {
      const s = status[sink.name]?.status;
      sink.connectorState = s?.connector.state ?? 'missing';
      sink.taskStates = s?.tasks.map((t) => `${t.id}=${t.state}`).join(' ') || 'no tasks';
      for (const t of s?.tasks ?? [])
        if (t.trace) console.log(`  ${sink.name} task ${t.id}: ${truncate(t.trace.split('\n')[0], 100)}`);
    }

    step('Stopping sluice (SIGTERM: flush, commit, close)');
    const stopAsked = Date.now();
    if (exitCode === null) sluice.kill('SIGTERM');
    const code = await exited;
    console.log(`  sluice exited with code ${code} in ${((Date.now() - stopAsked) / 1000).toFixed(1)} s`);
    await Promise.all(SINKS.map(countOnce));

    summary(started, code, topics.size);
    const complete = SINKS.every((s) => s.delivered >= RECORDS);
    process.exitCode = complete && code === 0 ? 0 : 1;
  } finally {
    if (sluice && exitCode === null) sluice.kill('SIGTERM');
    for (const close of closers) await close().catch(() => {});
  }
}

function summary(started, workerExit, topicCount) {
  step(`Summary (run ${runId}: ${RECORDS} records produced to each of ${topicCount} topics)`);
  console.log(
    `  ${'sink'.padEnd(22)} ${'connector'.padEnd(28)} ${'REST status'.padEnd(22)} ${'produced'.padStart(8)} ${'delivered'.padStart(9)} ${'records/s'.padStart(9)}`,
  );
  for (const s of SINKS) {
    const secs = ((s.doneAt ?? Date.now()) - started) / 1000;
    const state = `${s.connectorState}, ${s.taskStates}`;
    const mark = s.delivered >= RECORDS ? '✔' : '✘';
    console.log(
      `  ${s.label.padEnd(22)} ${s.name.padEnd(28)} ${state.padEnd(22)} ${String(RECORDS).padStart(8)} ${String(s.delivered).padStart(9)} ${String(Math.round(s.delivered / secs)).padStart(9)} ${mark}`,
    );
  }
  console.log(
    '  records/s: delivered ÷ time from the first record produced to the last one arriving in the store',
  );
  if (SINKS.some((s) => s.store === 'mongodb'))
    console.log(
      "  MongoDB is test-infra's FerretDB on SQLite, whose upserts are much slower than MongoDB's.",
    );
  console.log(`  worker: stopped by SIGTERM, exit code ${workerExit}`);
  const missing = SINKS.filter((s) => s.delivered < RECORDS);
  if (missing.length === 0 && workerExit === 0)
    console.log(`  ${style(32, 'OK: every sink received every record, and the worker stopped cleanly.')}`);
  else {
    const problems = missing.map((s) => `${s.label} got ${s.delivered}/${RECORDS}`);
    if (workerExit !== 0) problems.push(`the worker exited with ${workerExit}`);
    console.log(`  ${style(31, `INCOMPLETE: ${problems.join(', ')}.`)}`);
    console.log(
      `  See ${path.join(runDir, 'sluice.log')}; on a slow machine give the stores more than ${ARRIVAL_TIMEOUT_MS / 1000} s with DEMO_TIMEOUT_S.`,
    );
  }
  console.log('  Services keep running for the next run; stop them with `npm run infra -- down`.');
}

// Exit explicitly: a client left open by a failure must not keep the demo hanging.
main().then(
  () => process.exit(),
  (e) => {
    console.error(`\ndemo failed: ${e.message}`);
    process.exit(1);
  },
);
