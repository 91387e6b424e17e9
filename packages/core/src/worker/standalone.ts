import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { builtinPlugins } from '../connectors/index.js';
import type { KafkaAdmin, KafkaClientFactory } from '../kafka/port.js';
import { KafkaJsClientFactory } from '../kafka/kafkajs/client.js';
import { ConnectMetrics } from '../metrics/connect-metrics.js';
import { createRestServer, listen } from '../rest/server.js';
import { maskSecrets } from '../config/def.js';
import { MemoryConfigStore } from './config-store.js';
import type { ConnectorRequest } from './connector-file.js';
import { ConnectorValidator } from './connector-validator.js';
import {
  defaultConverterFactory,
  knownConverterClasses,
  knownHeaderConverterClasses,
} from './default-converters.js';
import type { ConverterFactory } from './converters.js';
import { LoggerRegistry } from './loggers.js';
import { PluginRegistry } from './plugins.js';
import { SinkOffsets } from './sink-offsets.js';
import { StandaloneHerder } from './standalone-herder.js';
import { MemoryStatusStore } from './status-store.js';
import { SLUICE_COMMIT, SLUICE_VERSION } from './version.js';
import { Worker, type RunnerFactory } from './worker.js';
import { defaultRunnerFactory } from './default-runner.js';
import { WorkerConfig, workerConfigDef } from './worker-config.js';

// Assembles a standalone worker: plugins, metrics, stores, worker, herder and REST API, then submits
// the connectors from the command line. `sluice standalone` is a thin shell around this; tests and
// the demo use it directly.

export interface StandaloneOptions {
  workerProps: Record<string, string>;
  connectors?: readonly ConnectorRequest[];
  /** Root logger; /admin/loggers adjusts its children. */
  logger: Logger;
  /** Where to look for installed sink packages (node_modules upwards from here); default: cwd. */
  pluginSearchFrom?: string;
  converters?: ConverterFactory;
  runnerFactory?: RunnerFactory;
  kafka?: KafkaClientFactory;
}

export interface StandaloneRuntime {
  readonly herder: StandaloneHerder;
  readonly worker: Worker;
  readonly plugins: PluginRegistry;
  readonly metrics: ConnectMetrics;
  readonly loggers: LoggerRegistry;
  readonly rest: FastifyInstance | null;
  /** Port the REST API is bound to (null when `listeners` is empty). */
  readonly restPort: number | null;
  readonly workerId: string;
  /** Stops tasks (flush, commit, close) within task.shutdown.graceful.timeout.ms, then the REST API. */
  stop(): Promise<void>;
}

/** A connector from the command line could not be created: Kafka Connect exits with code 3. */
export class ConnectorStartupError extends Error {}

export async function startStandalone(opts: StandaloneOptions): Promise<StandaloneRuntime> {
  const config = new WorkerConfig(opts.workerProps);
  const loggers = new LoggerRegistry(opts.logger);
  const log = loggers.logger('sluice.herder');
  log.info({ config: maskSecrets(opts.workerProps, workerConfigDef) }, 'Sluice standalone worker starting');

  const plugins = new PluginRegistry();
  for (const p of builtinPlugins) plugins.register(p);
  await plugins.discover({
    pluginPath: config.pluginPath,
    ...(opts.pluginSearchFrom ? { fromDir: opts.pluginSearchFrom } : {}),
    onError: (dir, e) => log.warn({ dir, err: e }, `Could not load a sink plugin from ${dir}; it is skipped`),
  });
  for (const { plugin, location } of plugins.list()) {
    log.info(
      { plugin: plugin.name, version: plugin.version, location },
      `Loaded plugin ${plugin.name} ${plugin.version}`,
    );
  }

  const metrics = new ConnectMetrics({ processMetrics: true });
  const statusStore = new MemoryStatusStore({
    connector: (name, state) => metrics.connectorState(name, state),
    task: (name, task, state) => metrics.taskState(name, task, state),
  });
  const configStore = new MemoryConfigStore();
  const kafka =
    opts.kafka ??
    new KafkaJsClientFactory(
      { ...config.clientConfig(), 'bootstrap.servers': config.bootstrapServers.join(',') },
      loggers.logger('sluice.kafka'),
      { consumerThread: config.consumerThread },
    );
  let workerId = config.workerId();
  const admin = lazyAdmin(kafka, () => `${config.clientIdPrefix()}-admin`);
  const converters = opts.converters ?? defaultConverterFactory;
  const validator = new ConnectorValidator(plugins, config, converters);
  const worker = new Worker({
    config,
    workerId: () => workerId,
    plugins,
    converters,
    statusStore,
    metrics,
    loggers,
    runnerFactory: opts.runnerFactory ?? defaultRunnerFactory,
  });
  const herder = new StandaloneHerder(
    {
      config,
      configStore,
      statusStore,
      plugins,
      validator,
      offsets: new SinkOffsets(admin.get),
      converterClasses: knownConverterClasses(),
      headerConverterClasses: knownHeaderConverterClasses(),
      clusterId: admin.clusterId,
      logger: log,
    },
    worker,
  );

  let rest: FastifyInstance | null = null;
  let restPort: number | null = null;
  if (config.listeners.length > 0) {
    rest = createRestServer({
      herder,
      loggers,
      metrics,
      logger: loggers.logger('sluice.rest'),
      version: SLUICE_VERSION,
      commit: SLUICE_COMMIT,
      requestTimeoutMs: config.restRequestTimeoutMs,
      basicAuth: config.basicAuth,
    });
    restPort = await listen(rest, config.listeners);
    workerId = config.workerId(restPort ?? undefined);
    log.info({ url: config.advertisedUrl(restPort ?? undefined) }, `REST API listening on port ${restPort}`);
  }

  const stop = async () => {
    await herder.stop();
    await rest?.close();
    await admin.close();
  };
  try {
    for (const c of opts.connectors ?? []) {
      try {
        await herder.putConnectorConfig(c.name, c.config, {
          allowReplace: false,
          ...(c.initialState ? { initialState: c.initialState } : {}),
        });
      } catch (e) {
        throw new ConnectorStartupError(`Failed to create connector ${c.name}: ${(e as Error).message}`, {
          cause: e,
        });
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  herder.markStarted();
  log.info(`Sluice standalone worker ${workerId} started`);
  return { herder, worker, plugins, metrics, loggers, rest, restPort, workerId, stop };
}

/** One admin client, connected on first use (offsets API, cluster id) and closed on stop. */
export function lazyAdmin(kafka: KafkaClientFactory, clientId: () => string) {
  let connected: Promise<KafkaAdmin> | null = null;
  const get = () => {
    if (!connected) {
      const admin = kafka.admin({ clientId: clientId() });
      connected = admin.connect().then(() => admin);
      connected.catch(() => (connected = null));
    }
    return connected;
  };
  return {
    get,
    clusterId: async (): Promise<string | null> => {
      return (await get()).clusterId();
    },
    close: async () => {
      if (connected) await (await connected.catch(() => null))?.disconnect();
    },
  };
}
