// Apache Kafka Connect (Java) as a side-by-side peer for benchmarks: a tool, not a long-running
// service. `installKafkaConnect()` puts the Connect runtime (same Kafka version as the test broker) and
// the sink plugins into the cache; `startKafkaConnect()` runs ConnectStandalone with one connector,
// waits until its tasks are RUNNING and hands back a handle to stop it.
//
//   <cache>/install/kafka-connect/<kafka version>/lib/                the worker's classpath
//   <cache>/install/kafka-connect/<kafka version>/plugins/<plugin>/    one plugin.path dir per connector
//   <cache>/install/kafka-connect/<kafka version>/plugins.json         which plugins installed, or why not
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { contextFor, makeContextDirs } from './framework/context.js';
import { withServiceLock } from './framework/lock.js';
import { cacheRoot, servicePaths } from './framework/paths.js';
import { freePorts } from './framework/ports.js';
import { Progress } from './framework/progress.js';
import { javaBin } from './installers/java.js';
import { isMarked, mark } from './installers/marker.js';
import { copyArtifact, copyJarsWithDependencies } from './installers/maven.js';
import { KAFKA_VERSION } from './services/kafka.js';
import type { ServiceContext } from './service.js';

const TOOL = 'kafka-connect';
export const MONGO_KAFKA_CONNECT_VERSION = '2.0.1';
export const CAMEL_KAFKA_CONNECTOR_VERSION = '4.14.0';
const SLF4J_RELOAD4J = { groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: '1.7.36' };

/**
 * Heap and GC exactly as Kafka's own scripts set them for `connect-standalone.sh`: the script's
 * KAFKA_HEAP_OPTS default and kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS default.
 */
export const CONNECT_HEAP_OPTS = ['-Xms256M', '-Xmx2G'];
export const CONNECT_JVM_PERFORMANCE_OPTS = [
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-XX:MaxInlineLevel=15',
  '-Djava.awt.headless=true',
];

/** The sink plugins installed beside the runtime, each in its own plugin.path directory. */
export type ConnectPluginName = 'mongodb' | 'camel-elasticsearch' | 'camel-cassandra' | 'camel-mqtt';

interface PluginSource {
  /** Maven coordinates (`group:artifact:version:type[:classifier]`). */
  artifact: string;
  /** `jar`: copied as is; `tar.gz`: unpacked (Camel's `package` archive holds the connector and its deps). */
  kind: 'jar' | 'tar.gz';
  /** The sink connector's class, for `connector.class`. */
  connectorClass: string;
}

const camel = (name: string, cls: string): PluginSource => ({
  artifact: `org.apache.camel.kafkaconnector:camel-${name}-kafka-connector:${CAMEL_KAFKA_CONNECTOR_VERSION}:tar.gz:package`,
  kind: 'tar.gz',
  connectorClass: `org.apache.camel.kafkaconnector.${cls}`,
});

export const CONNECT_PLUGINS: Record<ConnectPluginName, PluginSource> = {
  mongodb: {
    artifact: `org.mongodb.kafka:mongo-kafka-connect:${MONGO_KAFKA_CONNECT_VERSION}:jar:all`,
    kind: 'jar',
    connectorClass: 'com.mongodb.kafka.connect.MongoSinkConnector',
  },
  'camel-elasticsearch': camel(
    'elasticsearch-index-sink',
    'elasticsearchindexsink.CamelElasticsearchindexsinkSinkConnector',
  ),
  'camel-cassandra': camel('cassandra-sink', 'cassandrasink.CamelCassandrasinkSinkConnector'),
  'camel-mqtt': camel('mqtt5-sink', 'mqtt5sink.CamelMqtt5sinkSinkConnector'),
};

export type PluginState = { installed: true } | { installed: false; reason: string };

export interface KafkaConnectInstall {
  kafkaVersion: string;
  /** Directory of the worker's classpath jars (connect-runtime, connect-json, connect-file, slf4j binding). */
  libDir: string;
  /** The worker's `plugin.path`. */
  pluginPath: string;
  /** Each plugin: installed, or why not (e.g. not served by the registry). */
  plugins: Record<ConnectPluginName, PluginState>;
}

function installRoot(cacheDir: string): string {
  return path.join(servicePaths(cacheDir, TOOL).installDir, KAFKA_VERSION);
}

function connectContext(cacheDir: string, progress: Progress): ServiceContext {
  return { ...contextFor(cacheDir, { name: TOOL, ports: {} }, progress), installDir: installRoot(cacheDir) };
}

/** What a Maven failure says went wrong, in one short phrase (e.g. "… was not found in <repository>"). */
export function mavenReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const found = /Could not find artifact \S+|\S+ was not found in|Could not resolve \S+/.exec(text);
  const line = found?.[0] ?? text.split('\n').find((l) => /ERROR/.test(l)) ?? text.split('\n')[0] ?? '';
  // The repository is named, not its address: it is Maven Central as this machine reaches it.
  const phrase = line
    .replace(/^\[ERROR\]\s*/, '')
    .replace(/ was not found in$/, ' was not found')
    .replace(/\s*\bhttps?:\/\/\S+/g, '')
    .slice(0, 300);
  return `${phrase} on Maven Central as reachable from this machine`;
}

async function installPlugin(ctx: ServiceContext, name: ConnectPluginName, pluginDir: string): Promise<void> {
  const source = CONNECT_PLUGINS[name];
  const dir = path.join(pluginDir, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  if (source.kind === 'jar') {
    await copyArtifact(ctx, source.artifact, dir);
    return;
  }
  const download = path.join(ctx.installDir, 'downloads');
  await copyArtifact(ctx, source.artifact, download);
  const archive = (await readdir(download)).find((f) => f.endsWith('.tar.gz') && f.includes(name.slice(6)));
  if (!archive) throw new Error(`no .tar.gz for ${source.artifact} in ${download}`);
  await ctx.run('tar', ['-xzf', path.join(download, archive), '-C', dir]);
}

/**
 * Install (once; later calls read the cache) Kafka Connect's runtime at the broker's Kafka version and
 * the sink plugins. A plugin that cannot be installed does not fail the install: its reason is recorded
 * and returned, so a benchmark can say which Java peers did not run and why.
 */
export async function installKafkaConnect(
  options: { cacheDir?: string; write?: (line: string) => void } = {},
): Promise<KafkaConnectInstall> {
  const cacheDir = options.cacheDir ?? cacheRoot();
  const root = installRoot(cacheDir);
  const result = async (): Promise<KafkaConnectInstall> => ({
    kafkaVersion: KAFKA_VERSION,
    libDir: path.join(root, 'lib'),
    pluginPath: path.join(root, 'plugins'),
    plugins: JSON.parse(
      await readFile(path.join(root, 'plugins.json'), 'utf8'),
    ) as KafkaConnectInstall['plugins'],
  });
  if (isMarked(root)) return result();
  const progress = new Progress(TOOL, options.write);
  progress.begin();
  try {
    await withServiceLock(
      servicePaths(cacheDir, TOOL).lockTarget,
      async () => {
        if (isMarked(root)) return;
        const ctx = connectContext(cacheDir, progress);
        await makeContextDirs(ctx);
        await rm(root, { recursive: true, force: true });
        await mkdir(root, { recursive: true });
        progress.update(
          `downloading connect-runtime ${KAFKA_VERSION} and its dependencies from Maven Central`,
        );
        await copyJarsWithDependencies(
          ctx,
          [
            { groupId: 'org.apache.kafka', artifactId: 'connect-runtime', version: KAFKA_VERSION },
            { groupId: 'org.apache.kafka', artifactId: 'connect-json', version: KAFKA_VERSION },
            { groupId: 'org.apache.kafka', artifactId: 'connect-file', version: KAFKA_VERSION },
            SLF4J_RELOAD4J,
          ],
          path.join(root, 'lib'),
        );
        const plugins = {} as Record<ConnectPluginName, PluginState>;
        for (const name of Object.keys(CONNECT_PLUGINS) as ConnectPluginName[]) {
          progress.update(`downloading plugin ${name} (${CONNECT_PLUGINS[name].artifact})`);
          try {
            await installPlugin(ctx, name, path.join(root, 'plugins'));
            plugins[name] = { installed: true };
          } catch (e) {
            await rm(path.join(root, 'plugins', name), { recursive: true, force: true });
            plugins[name] = { installed: false, reason: mavenReason(e) };
            progress.update(`plugin ${name} not installed: ${plugins[name].reason}`);
          }
        }
        await writeFile(path.join(root, 'plugins.json'), `${JSON.stringify(plugins, null, 2)}\n`);
        await mark(root);
      },
      () => progress.update('waiting for another process installing it'),
    );
  } finally {
    const ms = progress.end();
    (options.write ?? ((l: string) => process.stderr.write(l + '\n')))(
      `[infra] ${TOOL}: installed in ${Math.round(ms / 1000)}s`,
    );
  }
  return result();
}

export interface KafkaConnectFiles {
  worker: Record<string, string>;
  connector: Record<string, string>;
}

/**
 * The worker and connector properties ConnectStandalone is started with. The caller's worker keys win
 * over the defaults (JSON values without schemas, String keys, a 10 s offset flush); `listeners`,
 * `plugin.path` and the offsets file are always the ones given.
 */
export function kafkaConnectProperties(options: {
  bootstrapServers: string;
  restPort: number;
  pluginPath: string;
  offsetsFile: string;
  connector: Record<string, string>;
  worker?: Record<string, string>;
}): KafkaConnectFiles {
  if (!options.connector['name'] || !options.connector['connector.class'])
    throw new Error('kafka-connect: the connector needs `name` and `connector.class`');
  return {
    worker: {
      'bootstrap.servers': options.bootstrapServers,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'offset.flush.interval.ms': '10000',
      ...options.worker,
      listeners: `http://127.0.0.1:${options.restPort}`,
      'plugin.path': options.pluginPath,
      'offset.storage.file.filename': options.offsetsFile,
    },
    connector: { 'tasks.max': '1', ...options.connector },
  };
}

/** Java `.properties` text: one `key=value` a line, with `\`, `:`, `=` and whitespace in keys escaped. */
export function toJavaProperties(props: Record<string, string>): string {
  const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return Object.entries(props)
    .map(([k, v]) => `${escape(k).replace(/([=:\s])/g, '\\$1')}=${escape(v)}`)
    .join('\n')
    .concat('\n');
}

// Connect's own INFO logging to stdout, with the noisiest loggers (config dumps, every consumer
// setting) at WARN: what an operator sees, without the output costing the run measurable time.
const LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.org.apache.kafka.common.config.AbstractConfig=WARN
log4j.logger.org.reflections=ERROR
log4j.logger.org.mongodb.driver=WARN
`;

export interface KafkaConnectOptions {
  bootstrapServers: string;
  /** Connector properties (`name`, `connector.class`, `topics`, …); `tasks.max` defaults to 1. */
  connector: Record<string, string>;
  /** Extra or overriding worker properties (converters, consumer settings). */
  worker?: Record<string, string>;
  /** Directory for the properties, offsets and log files (a fresh temporary one by default). */
  dir?: string;
  /** Milliseconds to wait for the connector's tasks to run (default 120 s: plugin scanning is slow). */
  timeoutMs?: number;
  cacheDir?: string;
}

export interface KafkaConnectWorker {
  pid: number;
  restUrl: string;
  dir: string;
  /** The JVM options it was started with (heap and GC), for the benchmark's notes. */
  jvmOptions: string[];
  /** The worker's output so far (the last 64 KiB). */
  output(): string;
  /** SIGTERM (Connect stops its tasks and commits), SIGKILL after `timeoutMs`; resolves when it exited. */
  stop(timeoutMs?: number): Promise<void>;
}

interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

/** Whether the connector and all its tasks run; throws with the trace when one FAILED. */
export function connectorRunning(name: string, status: ConnectorStatus): boolean {
  const failed = [status.connector, ...status.tasks].find((s) => s.state === 'FAILED');
  if (failed) throw new Error(`kafka-connect: connector ${name} FAILED: ${failed.trace ?? '(no trace)'}`);
  return (
    status.connector.state === 'RUNNING' &&
    status.tasks.length > 0 &&
    status.tasks.every((t) => t.state === 'RUNNING')
  );
}

/**
 * Start ConnectStandalone (installing Connect first if needed) with one connector, heap and GC as
 * Kafka's scripts set them, and wait until the connector's tasks are RUNNING.
 */
export async function startKafkaConnect(options: KafkaConnectOptions): Promise<KafkaConnectWorker> {
  const install = await installKafkaConnect({ cacheDir: options.cacheDir });
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'sluice-kafka-connect-')));
  await mkdir(dir, { recursive: true });
  const [restPort] = await freePorts(1, new Set());
  const files = kafkaConnectProperties({
    bootstrapServers: options.bootstrapServers,
    restPort: restPort!,
    pluginPath: install.pluginPath,
    offsetsFile: path.join(dir, 'connect.offsets'),
    connector: options.connector,
    worker: options.worker,
  });
  const workerFile = path.join(dir, 'worker.properties');
  const connectorFile = path.join(dir, 'connector.properties');
  await writeFile(workerFile, toJavaProperties(files.worker));
  await writeFile(connectorFile, toJavaProperties(files.connector));
  await writeFile(path.join(dir, 'log4j.properties'), LOG4J);
  const jvmOptions = [...CONNECT_HEAP_OPTS, ...CONNECT_JVM_PERFORMANCE_OPTS];
  const child: ChildProcess = spawn(
    javaBin(),
    [
      ...jvmOptions,
      `-Dlog4j.configuration=file:${path.join(dir, 'log4j.properties')}`,
      '-cp',
      path.join(install.libDir, '*'),
      'org.apache.kafka.connect.cli.ConnectStandalone',
      workerFile,
      connectorFile,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-65_536);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const restUrl = `http://127.0.0.1:${restPort}`;
  const name = files.connector['name']!;
  const stop = async (timeoutMs = 30_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`kafka-connect exited with ${child.exitCode}`);
      const response = await fetch(`${restUrl}/connectors/${encodeURIComponent(name)}/status`).catch(
        () => null,
      );
      if (response?.ok && connectorRunning(name, (await response.json()) as ConnectorStatus)) break;
      if (Date.now() > deadline) throw new Error(`kafka-connect: connector ${name} not RUNNING in time`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (e) {
    await stop(5_000);
    throw new Error(`${(e as Error).message}\nits last output:\n${out.split('\n').slice(-40).join('\n')}`);
  }
  return { pid: child.pid!, restUrl, dir, jvmOptions, output: () => out, stop };
}

/** The Java version `startKafkaConnect` runs on (`java -version`'s first line), for result files. */
export function kafkaConnectJavaVersion(): string {
  // `java -version` prints to stderr.
  const { stderr } = spawnSync(javaBin(), ['-version'], { encoding: 'utf8' });
  return stderr.split('\n')[0]?.trim() || 'unknown';
}
