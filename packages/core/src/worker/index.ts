// The worker: configs, plugins, herders and the local task runner. Distributed mode builds on the
// same Worker, Herder interface and stores.
export * from './types.js';
export type { Herder, PutConnectorResult } from './herder.js';
export { AbstractHerder, type HerderDeps } from './abstract-herder.js';
export { StandaloneHerder } from './standalone-herder.js';
export { Worker, traceOf, type TaskRunner, type RunnerFactory, type WorkerOptions } from './worker.js';
export {
  WorkerConfig,
  workerConfigDef,
  parseListener,
  stripPrefix,
  type ListenerAddress,
} from './worker-config.js';
export { parseProperties } from './properties.js';
export {
  readConnectorFile,
  parseConnectorFile,
  parseJsonRequest,
  parseInitialState,
  type ConnectorRequest,
} from './connector-file.js';
export {
  PluginRegistry,
  loadPluginPackage,
  isSinkPlugin,
  simpleName,
  shortName,
  type RegisteredPlugin,
} from './plugins.js';
export {
  ConnectorValidator,
  configKeyInfo,
  configKeyInfos,
  type ValidationOutcome,
} from './connector-validator.js';
export { commonConnectorConfigDef, sinkGroupId } from './connector-config.js';
export {
  converterSettings,
  createConnectorConverters,
  type ConverterFactory,
  type ConnectorConverters,
} from './converters.js';
export { MemoryConfigStore, type ConfigStore, type ConnectorConfigEntry } from './config-store.js';
export {
  MemoryStatusStore,
  type StatusStore,
  type StatusListener,
  type ConnectorStatus,
  type TaskStatusRecord,
} from './status-store.js';
export { SinkOffsets, parseSinkOffsetsRequest } from './sink-offsets.js';
export { LoggerRegistry, ROOT_LOGGER, type LoggerLevel } from './loggers.js';
export { BadRequestException, ConflictException, ForbiddenException } from './herder-errors.js';
export { SerialQueue } from './serial-queue.js';
export {
  startStandalone,
  ConnectorStartupError,
  type StandaloneOptions,
  type StandaloneRuntime,
} from './standalone.js';
export { SLUICE_VERSION } from './version.js';
export * from './distributed/index.js';
