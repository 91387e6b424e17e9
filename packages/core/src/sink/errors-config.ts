import { ConfigDef, validators } from '../config/def.js';

// Kafka Connect's `errors.*` connector keys (ConnectorConfig + SinkConnectorConfig, KIP-298/KIP-610).
// The worker merges this definition into connector validation; the engine parses it per task.

export type ErrorTolerance = 'none' | 'all';

export interface ErrorHandlingConfig {
  /** Total time to retry a retriable failure in a tolerant stage; 0 = no retry, -1 = forever. */
  retryTimeoutMs: number;
  retryDelayMaxMs: number;
  tolerance: ErrorTolerance;
  logEnable: boolean;
  logIncludeMessages: boolean;
  /** Empty when no dead letter queue is configured. */
  dlqTopic: string;
  dlqReplicationFactor: number;
  dlqContextHeaders: boolean;
}

const GROUP = 'Error Handling';

export const errorsConfigDef = new ConfigDef()
  .define({
    name: 'errors.retry.timeout',
    type: 'LONG',
    default: 0,
    importance: 'MEDIUM',
    group: GROUP,
    doc: 'The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.',
    validator: validators.atLeast(-1),
  })
  .define({
    name: 'errors.retry.delay.max.ms',
    type: 'LONG',
    default: 60000,
    importance: 'MEDIUM',
    group: GROUP,
    doc: 'The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.',
    validator: validators.atLeast(1),
  })
  .define({
    name: 'errors.tolerance',
    type: 'STRING',
    default: 'none',
    importance: 'MEDIUM',
    group: GROUP,
    doc: "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
    validator: validators.oneOf(['none', 'all']),
    recommendedValues: ['none', 'all'],
  })
  .define({
    name: 'errors.log.enable',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: GROUP,
    doc: "If true, write each error and the details of the failed operation and problematic record to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.",
  })
  .define({
    name: 'errors.log.include.messages',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: GROUP,
    doc: "Whether to include in the log the Connect record that resulted in a failure. For sink records, the topic, partition, offset, and timestamp will be logged. This is 'false' by default, which will prevent record keys, values, and headers from being written to log files.",
  })
  .define({
    name: 'errors.deadletterqueue.topic.name',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: GROUP,
    doc: 'The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.',
  })
  .define({
    name: 'errors.deadletterqueue.topic.replication.factor',
    type: 'INT',
    default: 3,
    importance: 'MEDIUM',
    group: GROUP,
    doc: "Replication factor used to create the dead letter queue topic when it doesn't already exist.",
    validator: validators.atLeast(1),
  })
  .define({
    name: 'errors.deadletterqueue.context.headers.enable',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: GROUP,
    doc: 'If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys will start with __connect.errors.',
  });

/** Parses the `errors.*` keys of a connector config; throws ConfigException naming a bad key. */
export function parseErrorHandlingConfig(config: Record<string, string>): ErrorHandlingConfig {
  const v = errorsConfigDef.parse(config);
  return {
    retryTimeoutMs: v['errors.retry.timeout'] as number,
    retryDelayMaxMs: v['errors.retry.delay.max.ms'] as number,
    tolerance: (v['errors.tolerance'] as string).toLowerCase() as ErrorTolerance,
    logEnable: v['errors.log.enable'] as boolean,
    logIncludeMessages: v['errors.log.include.messages'] as boolean,
    dlqTopic: (v['errors.deadletterqueue.topic.name'] as string).trim(),
    dlqReplicationFactor: v['errors.deadletterqueue.topic.replication.factor'] as number,
    dlqContextHeaders: v['errors.deadletterqueue.context.headers.enable'] as boolean,
  };
}
