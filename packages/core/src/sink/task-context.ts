import type { ErrantRecordReporter, SinkTaskContext, TaskLogger, TopicPartition } from './api.js';

/** What the runner exposes to its SinkTaskContext; the context itself holds no engine state. */
export interface TaskContextHost {
  assignment(): readonly TopicPartition[];
  rewind(tp: TopicPartition, offset: number): void;
  setTimeout(ms: number): void;
  pausePartitions(tps: readonly TopicPartition[]): void;
  resumePartitions(tps: readonly TopicPartition[]): void;
  requestCommit(): void;
  errantRecordReporter(): ErrantRecordReporter | null;
}

export class RunnerTaskContext implements SinkTaskContext {
  constructor(
    readonly connectorName: string,
    readonly taskId: number,
    private readonly config: Record<string, string>,
    private readonly host: TaskContextHost,
    readonly logger: TaskLogger,
  ) {}

  configs(): Record<string, string> {
    return { ...this.config };
  }

  assignment(): readonly TopicPartition[] {
    return this.host.assignment();
  }

  offset(tp: TopicPartition, offset: number): void {
    this.host.rewind(tp, offset);
  }

  timeout(ms: number): void {
    this.host.setTimeout(ms);
  }

  pause(...tps: TopicPartition[]): void {
    this.host.pausePartitions(tps);
  }

  resume(...tps: TopicPartition[]): void {
    this.host.resumePartitions(tps);
  }

  requestCommit(): void {
    this.host.requestCommit();
  }

  errantRecordReporter(): ErrantRecordReporter | null {
    return this.host.errantRecordReporter();
  }
}

/** The task's logger: pino with connector/task context, in the TaskLogger shape (message first). */
export function taskLogger(logger: import('pino').Logger): TaskLogger {
  return {
    debug: (msg, ctx) => logger.debug(ctx ?? {}, msg),
    info: (msg, ctx) => logger.info(ctx ?? {}, msg),
    warn: (msg, ctx) => logger.warn(ctx ?? {}, msg),
    error: (msg, ctx) => logger.error(ctx ?? {}, msg),
  };
}
