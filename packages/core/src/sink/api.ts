import type { ConfigDef } from '../config/def.js';
import type { SinkRecord, TopicPartition } from '../data/sink-record.js';

// The plugin contract: what a sink package implements. It mirrors Kafka Connect's SinkConnector and
// SinkTask (connect/api) so that their semantics carry over; offsets, retries, the DLQ and metrics
// are the runtime's job, not the plugin's.

export type { ConnectHeader, SinkRecord, TimestampType, TopicPartition } from '../data/sink-record.js';

/** Offsets as Kafka Connect passes them to flush/preCommit: the next offset to consume, per partition. */
export type OffsetMap = Map<string /* `${topic}-${partition}` */, { tp: TopicPartition; offset: number }>;

export interface TaskLogger {
  debug(msg: string, ctx?: object): void;
  info(msg: string, ctx?: object): void;
  warn(msg: string, ctx?: object): void;
  error(msg: string, ctx?: object): void;
}

export interface ErrantRecordReporter {
  /** Sends the record to the DLQ / error log per errors.tolerance; throws when tolerance is `none`. */
  report(record: SinkRecord, error: Error): Promise<void>;
}

export interface SinkTaskContext {
  readonly connectorName: string;
  readonly taskId: number;
  configs(): Record<string, string>;
  assignment(): readonly TopicPartition[];
  /** Rewind: the next fetch of these partitions starts at the given offset. */
  offset(tp: TopicPartition, offset: number): void;
  /** Back-off before the next redelivery after a RetriableException. */
  timeout(ms: number): void;
  pause(...tps: TopicPartition[]): void;
  resume(...tps: TopicPartition[]): void;
  requestCommit(): void;
  /** Null unless errors.tolerance or a DLQ is configured. */
  errantRecordReporter(): ErrantRecordReporter | null;
  readonly logger: TaskLogger;
}

export interface SinkTask {
  start(config: Record<string, string>, context: SinkTaskContext): Promise<void>;
  open?(partitions: readonly TopicPartition[]): Promise<void>;
  /**
   * Deliver a batch. Resolves only when the store has acknowledged every record of it. Throw
   * RetriableException to have the same batch redelivered later; any other error fails the task
   * (data errors for single records go through the errant record reporter instead).
   */
  put(records: readonly SinkRecord[]): Promise<void>;
  /** Offsets that are safe to commit (default: the ones passed in, after flush). */
  preCommit?(offsets: OffsetMap): Promise<OffsetMap>;
  flush?(offsets: OffsetMap): Promise<void>;
  close?(partitions: readonly TopicPartition[]): Promise<void>;
  stop(): Promise<void>;
}

export interface SinkPlugin {
  /** npm package name, e.g. `@sluice/sink-mongodb`. */
  readonly name: string;
  readonly version: string;
  /** Simple class name used by Kafka Connect's short-name rule, e.g. `MongoSinkConnector`. */
  readonly className: string;
  /** Full class names that resolve to this plugin (Stream Reactor's, for drop-in configs). */
  readonly aliases: readonly string[];
  readonly type: 'sink';
  /** The connector's own keys (the common connector keys are added by the runtime). */
  readonly configDef: ConfigDef;
  /** Extra checks across keys (e.g. KCQL sources == topics); returns per-key error messages. */
  validate?(config: Record<string, string>): Record<string, string[]>;
  /** Splits the connector config into at most maxTasks task configs (default: maxTasks copies). */
  taskConfigs?(config: Record<string, string>, maxTasks: number): Record<string, string>[];
  createTask(): SinkTask;
}
