import type { Logger } from 'pino';
import type { Converter, HeaderConverter } from '../convert/api.js';
import type { KafkaClientFactory } from '../kafka/port.js';
import type { SinkTask } from './api.js';

// The seam between the worker (which decides what runs where) and the sink engine (which runs one
// task against Kafka). The worker builds these options; the engine owns everything after that.

export type TaskState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FAILED' | 'RESTARTING';

export interface TaskStatus {
  state: TaskState;
  /** Readable stack/cause when FAILED. */
  trace?: string;
}

/** Counters the engine reports; the worker's metrics registry implements them (Prometheus). */
export interface SinkTaskMetrics {
  recordsRead(n: number): void;
  recordsSent(n: number): void;
  putBatchTime(ms: number): void;
  offsetCommit(ok: boolean, ms: number): void;
  recordsFailed(n: number): void;
  deadLetterRecords(n: number): void;
  consumerLag(topic: string, partition: number, lag: number): void;
}

export interface SinkTaskRunnerOptions {
  connectorName: string;
  taskId: number;
  /** Connector config as the user wrote it, plus what taskConfigs() added for this task. */
  taskConfig: Record<string, string>;
  /** Kafka client settings of the worker (bootstrap.servers, security, `consumer.`/`producer.`/`admin.` overrides applied). */
  worker: {
    bootstrapServers: string[];
    clientConfig: Record<string, string>;
    offsetFlushIntervalMs: number;
    offsetFlushTimeoutMs: number;
    gracefulShutdownTimeoutMs: number;
    /** The consumer fetches on a thread of its own (worker key `sluice.consumer.thread`, default true). */
    consumerThread?: boolean;
  };
  task: SinkTask;
  keyConverter: Converter;
  valueConverter: Converter;
  headerConverter: HeaderConverter;
  logger: Logger;
  metrics: SinkTaskMetrics;
  onStatus(status: TaskStatus): void;
  /**
   * The Kafka clients to use. Optional: by default the engine builds kafkajs clients from
   * `worker.bootstrapServers` + `worker.clientConfig`. Workers may share one factory; tests pass a fake.
   */
  kafka?: KafkaClientFactory;
}
