// `@sluice/core/sink`: everything a sink package needs, and nothing of the worker, the REST server or
// the engine. Sinks import only from here (an ESLint rule enforces it). See "Writing a sink" in the
// package README.

// The plugin and task contract.
export type {
  ConnectHeader,
  ErrantRecordReporter,
  OffsetMap,
  SinkPlugin,
  SinkRecord,
  SinkTask,
  SinkTaskContext,
  TaskLogger,
  TimestampType,
  TopicPartition,
} from '../sink/api.js';

// Configuration.
export {
  ConfigDef,
  Password,
  validators,
  type ConfigKey,
  type ConfigType,
  type ConfigValue,
  type Importance,
  type Validator,
} from '../config/def.js';
export {
  checkKcqlClauses,
  checkKcqlSupport,
  defineStreamReactorKeys,
  kcqlClausesUsed,
  secretValue,
  streamReactorSettings,
  streamReactorTaskTools,
  validateKcql,
  type KcqlClause,
  type KcqlSupport,
  type StreamReactorSettings,
  type StreamReactorTaskTools,
} from '../sink/stream-reactor-config.js';
export {
  ERROR_POLICIES,
  ErrorPolicy,
  putRouted,
  reportBadRecord,
  type ErrorPolicyKind,
  type RefusedRecord,
  type RoutedPut,
} from '../sink/error-policy.js';
export { PROGRESS_ENABLED_CONFIG, ProgressCounter } from '../sink/progress.js';

// KCQL routing and projection.
export {
  KcqlRouter,
  parseKcqlConfig,
  projectRecord,
  extractPrimaryKeys,
  extractPrimaryKeysFromKey,
  RecordView,
  recordError,
  fieldPath,
  fieldSegments,
  isDecimal,
  isStruct,
  toPlain,
  describeType,
  toJsonText,
  type Document,
  type ProjectionOptions,
  type ProjectionStatement,
  type KeyPart,
  type MappingContext,
  type KcqlField,
  type KcqlFieldType,
  type KcqlStatement,
  type DecimalLike,
  type StructLike,
} from '../mapping/index.js';
export { parseJsonText } from '../mapping/record-view.js';

// The Connect data model, to read values.
export {
  ConnectSchema,
  Field,
  Schema,
  SchemaBuilder,
  Struct,
  ConnectDecimal,
  Decimal,
  LogicalDate,
  Time,
  Timestamp,
  type SchemaType,
} from '../data/index.js';

// Errors.
export { ConfigException, ConnectException, DataException, RetriableException } from '../errors.js';

// The kit.
export {
  defineStreamReactorSink,
  StreamReactorSinkTask,
  type CompiledSinkConfig,
  type ItemFailure,
  type SinkRuntime,
  type StreamReactorSinkDefinition,
  type StreamReactorSinkPlugin,
  type TombstoneMode,
  type WriteOutcome,
  type WritePipelineOptions,
} from './define-sink.js';
export { defaultClassify, FatalStoreException, type ErrorClass } from './error-classes.js';
export {
  mapValue,
  plainValueHooks,
  valueHooks,
  valueMapper,
  type FloatType,
  type IntType,
  type ValueHooks,
  type ValueMapper,
} from '../mapping/value-mapping.js';
export { chunk, chunkByWeight, groupBy, runLimited } from './batching.js';
export { ConnectionGate, InFlightWindow } from './in-flight.js';
export { AcknowledgedOffsets, WritePipeline, type RecordTicket } from './write-pipeline.js';
export {
  defineSslKeys,
  readKeyFile,
  sslKeyNames,
  sslSettings,
  tlsOptions,
  STORE_TYPES,
  type SslSettings,
  type StoreFile,
  type StoreType,
} from './key-files.js';

// Raw Avro (no registry header), for sinks that hand Avro to another system.
export { RawAvroEncoder } from '../convert/avro/raw-avro.js';
