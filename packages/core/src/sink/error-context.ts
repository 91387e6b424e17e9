import type { Logger } from 'pino';
import { ConnectException } from '../errors.js';
import type { FetchedMessage } from '../kafka/port.js';

// What the error reporters (log, dead letter queue) learn about one failed record (Kafka Connect's
// ProcessingContext for a sink).

/** Kafka Connect's stages (org.apache.kafka.connect.runtime.errors.Stage). */
export type Stage =
  | 'TASK_POLL'
  | 'TASK_PUT'
  | 'TRANSFORMATION'
  | 'KEY_CONVERTER'
  | 'VALUE_CONVERTER'
  | 'HEADER_CONVERTER'
  | 'KAFKA_PRODUCE'
  | 'KAFKA_CONSUME';

export interface FailedRecord {
  readonly topic: string;
  readonly partition: number;
  /** The record as consumed: raw key/value bytes, headers and timestamp. */
  readonly message: FetchedMessage;
}

export interface ErrorContext {
  readonly record: FailedRecord;
  readonly stage: Stage;
  /** Class (constructor) name of what was executing: the converter, the task… */
  readonly executingClass: string;
  readonly error: Error;
}

export interface ErrorReporter {
  report(ctx: ErrorContext): Promise<void>;
}

const CONNECT_ERRORS = new Set([
  'ConnectException',
  'DataException',
  'RetriableException',
  'SchemaBuilderException',
  'SchemaProjectorException',
  'NotFoundException',
  'AlreadyExistsException',
  'ConfigException',
]);

/** The exception class name as Kafka Connect would show it, so tools that read DLQ headers keep working. */
export function exceptionClassName(error: Error): string {
  const name = error.name || error.constructor.name;
  if (error instanceof ConnectException && CONNECT_ERRORS.has(name)) {
    return name === 'ConfigException'
      ? 'org.apache.kafka.common.config.ConfigException'
      : `org.apache.kafka.connect.errors.${name}`;
  }
  return name;
}

export function describeRecord(r: FailedRecord): string {
  const ts = r.message.timestamp;
  return `{topic='${r.topic}', partition=${r.partition}, offset=${r.message.offset}, timestamp=${ts < 0 ? 'null' : ts}, timestampType=${r.message.timestampType}}`;
}

/** `errors.log.enable`: one ERROR line per failed record, as Kafka Connect's LogReporter writes it. */
export class LogReporter implements ErrorReporter {
  constructor(
    private readonly connectorName: string,
    private readonly taskId: number,
    private readonly includeMessages: boolean,
    private readonly logger: Logger,
  ) {}

  report(ctx: ErrorContext): Promise<void> {
    let msg = `Error encountered in task ${this.connectorName}-${this.taskId}. Executing stage '${ctx.stage}' with class '${ctx.executingClass}'`;
    if (this.includeMessages) msg += `, where consumed record is ${describeRecord(ctx.record)}`;
    this.logger.error(
      {
        err: ctx.error,
        topic: ctx.record.topic,
        partition: ctx.record.partition,
        offset: ctx.record.message.offset,
      },
      `${msg}.`,
    );
    return Promise.resolve();
  }
}
