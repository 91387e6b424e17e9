import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { maskSecrets } from '../../config/def.js';
import { builtinPlugins } from '../../connectors/index.js';
import { KafkaJsClientFactory } from '../../kafka/kafkajs/client.js';
import type { KafkaClientFactory } from '../../kafka/port.js';
import { ConnectMetrics } from '../../metrics/connect-metrics.js';
import { createRestServer, listen } from '../../rest/server.js';
import { ConnectorValidator } from '../connector-validator.js';
import type { ConverterFactory } from '../converters.js';
import {
  defaultConverterFactory,
  knownConverterClasses,
  knownHeaderConverterClasses,
} from '../default-converters.js';
import { defaultRunnerFactory } from '../default-runner.js';
import { LoggerRegistry } from '../loggers.js';
import { PluginRegistry } from '../plugins.js';
import { SinkOffsets } from '../sink-offsets.js';
import { lazyAdmin } from '../standalone.js';
import { SLUICE_COMMIT, SLUICE_VERSION } from '../version.js';
import { Worker, type RunnerFactory } from '../worker.js';
import { DistributedConfig, distributedWorkerConfigDef } from './distributed-config.js';
import { DistributedHerder } from './distributed-herder.js';
import type { InternalKafka, LogRecord } from './internal-kafka.js';
import { KafkaConfigStore } from './kafka-config-store.js';
import { KafkaStatusStore } from './kafka-status-store.js';
import { KafkaJsInternalKafka } from './kafkajs/internal-kafka.js';
import { RequestForwarder, trackForwardedRequests } from './request-forwarding.js';
import { RestartingTopicLog } from './restarting-topic-log.js';

// Assembles a distributed worker: plugins, metrics, the internal topics and their stores, the worker,
// the DistributedHerder and the REST API, then joins the group. `sluice distributed` is a thin shell
// around this.

export interface DistributedOptions {
  workerProps: Record<string, string>;
  logger: Logger;
  pluginSearchFrom?: string;
  converters?: ConverterFactory;
  runnerFactory?: RunnerFactory;
  kafka?: KafkaClientFactory;
  internalKafka?: InternalKafka;
  /** The group refused this worker for good; default: logged. */
  onFatal?: (error: Error) => void;
}

export interface DistributedRuntime {
  readonly herder: DistributedHerder;
  readonly worker: Worker;
  readonly metrics: ConnectMetrics;
  readonly rest: FastifyInstance | null;
  readonly restPort: number | null;
  readonly workerId: string;
  readonly config: DistributedConfig;
  /** Stops tasks (flush, commit), hands their work over, leaves the group and closes everything. */
  stop(): Promise<void>;
}

/** Time to read an internal topic from its beginning when starting. */
const STARTUP_READ_TIMEOUT_MS = 60_000;

export async function startDistributed(opts: DistributedOptions): Promise<DistributedRuntime> {
  const config = new DistributedConfig(opts.workerProps);
  const workerConfig = config.worker;
  const loggers = new LoggerRegistry(opts.logger);
  const log = loggers.logger('sluice.herder');
  log.info(
    { config: maskSecrets(opts.workerProps, distributedWorkerConfigDef) },
    `Sluice distributed worker starting in group ${config.groupId}`,
  );

  const plugins = new PluginRegistry();
  for (const p of builtinPlugins) plugins.register(p);
  await plugins.discover({
    pluginPath: workerConfig.pluginPath,
    ...(opts.pluginSearchFrom ? { fromDir: opts.pluginSearchFrom } : {}),
    onError: (dir, e) => log.warn({ dir, err: e }, `Could not load a sink plugin from ${dir}; it is skipped`),
  });
  for (const { plugin, location } of plugins.list()) {
    log.info(
      { plugin: plugin.name, version: plugin.version, location },
      `Loaded plugin ${plugin.name} ${plugin.version}`,
    );
  }

  // Made first: a TLS setting it cannot use is a config error before any client exists.
  const forwarder = new RequestForwarder({
    timeoutMs: workerConfig.restRequestTimeoutMs,
    basicAuth: workerConfig.basicAuth,
    tls: workerConfig.restClientTls(),
  });
  const metrics = new ConnectMetrics({ processMetrics: true });
  const clientKafka =
    opts.kafka ??
    new KafkaJsClientFactory(
      { ...workerConfig.clientConfig(), 'bootstrap.servers': workerConfig.bootstrapServers.join(',') },
      loggers.logger('sluice.kafka'),
      { consumerThread: workerConfig.consumerThread },
    );
  const internal =
    opts.internalKafka ??
    new KafkaJsInternalKafka(workerConfig, workerConfig.clientIdPrefix(), loggers.logger('sluice.kafka'));
  const admin = lazyAdmin(clientKafka, () => `${workerConfig.clientIdPrefix()}-admin`);
  let restPort: number | null = null;
  const workerId = () => workerConfig.workerId(restPort ?? undefined);

  let herder: DistributedHerder | null = null;
  // Internal-topic readers are restarted with back-off when they crash; /health reports them meanwhile.
  const readers: RestartingTopicLog[] = [];
  const restartingLog = (topic: string) => (onRecords: (records: readonly LogRecord[]) => void) => {
    const log = new RestartingTopicLog(
      (r, onCrash) => internal.openLog(topic, r, onCrash),
      onRecords,
      topic,
      loggers.logger('sluice.herder'),
    );
    readers.push(log);
    return log;
  };
  const configStore = new KafkaConfigStore(
    restartingLog(config.configTopic),
    (changes) => herder?.onConfigChanges(changes),
    loggers.logger('sluice.config'),
  );
  const statusStore = new KafkaStatusStore(
    restartingLog(config.statusTopic),
    workerId,
    () => herder?.generation() ?? -1,
    loggers.logger('sluice.status'),
    {
      connector: (name, state) => metrics.connectorState(name, state),
      task: (name, task, state) => metrics.taskState(name, task, state),
    },
  );
  const converters = opts.converters ?? defaultConverterFactory;
  const worker = new Worker({
    config: workerConfig,
    workerId,
    plugins,
    converters,
    statusStore,
    metrics,
    loggers,
    runnerFactory: opts.runnerFactory ?? defaultRunnerFactory,
    tasksWithoutConnector: true,
  });
  herder = new DistributedHerder(
    {
      config: workerConfig,
      configStore,
      statusStore,
      plugins,
      validator: new ConnectorValidator(plugins, workerConfig, converters),
      offsets: new SinkOffsets(admin.get),
      converterClasses: knownConverterClasses(),
      headerConverterClasses: knownHeaderConverterClasses(),
      clusterId: () => internal.clusterId(),
      logger: log,
    },
    {
      config,
      worker,
      configStore,
      statusStore,
      kafka: internal,
      forwarder,
      url: () => workerConfig.advertisedUrl(restPort ?? undefined),
      problem: () => readers.map((r) => r.problem()).find((p) => p !== null) ?? null,
      onFatal:
        opts.onFatal ??
        ((e) =>
          log.error({ err: e }, `This worker cannot be a member of group ${config.groupId}: ${e.message}`)),
    },
  );

  let rest: FastifyInstance | null = null;
  const closeAll = async () => {
    await rest?.close().catch(() => undefined);
    await statusStore.stop().catch(() => undefined);
    await configStore.stop().catch(() => undefined);
    await internal.close();
    await admin.close().catch(() => undefined);
    await forwarder.close().catch(() => undefined);
  };
  try {
    await internal.ensureTopics([
      {
        topic: config.configTopic,
        property: 'config.storage.topic',
        partitions: 1,
        replicationFactor: config.configReplicationFactor,
        singlePartition: true,
      },
      {
        topic: config.offsetTopic,
        property: 'offset.storage.topic',
        partitions: config.offsetPartitions,
        replicationFactor: config.offsetReplicationFactor,
        singlePartition: false,
      },
      {
        topic: config.statusTopic,
        property: 'status.storage.topic',
        partitions: config.statusPartitions,
        replicationFactor: config.statusReplicationFactor,
        singlePartition: false,
      },
    ]);
    if (workerConfig.listeners.length > 0) {
      rest = createRestServer({
        herder,
        loggers,
        metrics,
        logger: loggers.logger('sluice.rest'),
        version: SLUICE_VERSION,
        commit: SLUICE_COMMIT,
        requestTimeoutMs: workerConfig.restRequestTimeoutMs,
        basicAuth: workerConfig.basicAuth,
        https: workerConfig.restTls(),
        clusterLogLevels: false,
      });
      trackForwardedRequests(rest);
      restPort = await listen(rest, workerConfig.listeners);
      log.info(
        { url: workerConfig.advertisedUrl(restPort ?? undefined) },
        `REST API listening on port ${restPort}`,
      );
    }
    await statusStore.start(await internal.writer(config.statusTopic), STARTUP_READ_TIMEOUT_MS);
    await configStore.start(STARTUP_READ_TIMEOUT_MS);
  } catch (e) {
    await closeAll();
    throw e;
  }
  herder.start();
  log.info(`Sluice distributed worker ${workerId()} joining group ${config.groupId}`);

  const started = herder;
  return {
    herder: started,
    worker,
    metrics,
    rest,
    restPort,
    workerId: workerId(),
    config,
    stop: async () => {
      await started.stop();
      await closeAll();
    },
  };
}
