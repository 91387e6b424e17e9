import type { Logger } from 'pino';
import type { ConfigStore, ConnectorConfigEntry } from '../config-store.js';
import { ConflictException } from '../herder-errors.js';
import type { RestartRequest, TargetState } from '../types.js';
import { configRecords, parseConfigRecord } from './config-records.js';
import type { LogRecord, LogWriter, OutgoingRecord, TopicLog } from './internal-kafka.js';

// The config store of distributed mode: every worker replays the config topic into memory and
// serves reads from there; only the leader writes, through its fenced writer, and a write returns
// once the leader has read it back (so what it answers is what everyone will read). The offset this
// worker has applied is what it reports in its group metadata.

/** What a batch of config records changed, for the herder to act on. */
export interface ConfigChanges {
  /** Connectors created, updated or deleted. */
  readonly connectors: ReadonlySet<string>;
  /** Connectors whose task configs were (re)committed. */
  readonly tasks: ReadonlySet<string>;
  readonly targetStates: ReadonlySet<string>;
  /** Restart requests read after start-up (older ones were handled when they were written). */
  readonly restarts: readonly { connector: string; request: RestartRequest }[];
}

export class KafkaConfigStore implements ConfigStore {
  private readonly configs = new Map<string, Record<string, string>>();
  private readonly targetStates = new Map<string, TargetState>();
  private readonly taskConfigs = new Map<string, readonly Record<string, string>[]>();
  /** Task configs read but not committed yet. */
  private readonly pending = new Map<string, Map<number, Record<string, string>>>();
  private offset = 0;
  private started = false;
  private writer: LogWriter | null = null;
  private readonly log: TopicLog;

  constructor(
    openLog: (onRecords: (records: readonly LogRecord[]) => void) => TopicLog,
    private readonly onChanges: (changes: ConfigChanges) => void,
    private readonly logger: Logger,
  ) {
    this.log = openLog((records) => this.apply(records));
  }

  async start(timeoutMs: number): Promise<void> {
    await this.log.start(timeoutMs);
    this.started = true;
  }

  async stop(): Promise<void> {
    await this.log.stop();
  }

  /** The offset after the last record this worker applied. */
  configOffset(): number {
    return this.offset;
  }

  readToEnd(timeoutMs: number): Promise<void> {
    return this.log.readToEnd(timeoutMs);
  }

  /** The leader's writer while this worker leads; null otherwise (writes then fail with 409). */
  setWriter(writer: LogWriter | null): void {
    this.writer = writer;
  }

  connectors(): string[] {
    return [...this.configs.keys()].sort();
  }

  get(connector: string): ConnectorConfigEntry | undefined {
    const config = this.configs.get(connector);
    if (!config) return undefined;
    return {
      config,
      targetState: this.targetStates.get(connector) ?? 'STARTED',
      taskConfigs: this.taskConfigs.get(connector) ?? [],
    };
  }

  async putConnectorConfig(
    connector: string,
    config: Record<string, string>,
    targetState?: TargetState,
  ): Promise<void> {
    await this.write([
      ...(targetState ? [configRecords.targetState(connector, targetState)] : []),
      configRecords.connector(connector, config),
    ]);
  }

  async putTaskConfigs(connector: string, taskConfigs: readonly Record<string, string>[]): Promise<void> {
    await this.write(configRecords.tasks(connector, taskConfigs));
  }

  async putTargetState(connector: string, state: TargetState): Promise<void> {
    await this.write([configRecords.targetState(connector, state)]);
  }

  async removeConnectorConfig(connector: string): Promise<void> {
    await this.write(configRecords.deleteConnector(connector));
  }

  /** Writes records as one transaction and returns once this worker has applied them. */
  async write(records: readonly OutgoingRecord[], readBackTimeoutMs = 30_000): Promise<void> {
    if (!this.writer) {
      throw new ConflictException(
        'Cannot complete request because this worker is no longer the leader of the cluster; retry the request',
      );
    }
    await this.writer.send(records);
    await this.log.readToEnd(readBackTimeoutMs);
  }

  private apply(records: readonly LogRecord[]): void {
    const connectors = new Set<string>();
    const tasks = new Set<string>();
    const targetStates = new Set<string>();
    const restarts: { connector: string; request: RestartRequest }[] = [];
    for (const r of records) {
      this.offset = Math.max(this.offset, r.offset + 1);
      const record = parseConfigRecord(r.key, r.value);
      switch (record.kind) {
        case 'connector':
          connectors.add(record.connector);
          if (record.config) this.configs.set(record.connector, record.config);
          else {
            this.configs.delete(record.connector);
            this.taskConfigs.delete(record.connector);
            this.pending.delete(record.connector);
            this.targetStates.delete(record.connector);
          }
          break;
        case 'task': {
          let pending = this.pending.get(record.connector);
          if (!pending) this.pending.set(record.connector, (pending = new Map()));
          pending.set(record.task, record.config);
          break;
        }
        case 'commit': {
          const pending = this.pending.get(record.connector) ?? new Map<number, Record<string, string>>();
          const configs: Record<string, string>[] = [];
          for (let n = 0; n < record.tasks; n++) {
            const c = pending.get(n);
            if (c) configs.push(c);
          }
          if (configs.length !== record.tasks) {
            this.logger.error(
              { connector: record.connector, offset: r.offset },
              `Config topic: commit of ${record.tasks} task configs for connector ${record.connector} at offset ${r.offset} ` +
                `does not match the ${pending.size} task configs written before it; keeping the previous task configs`,
            );
            break;
          }
          this.pending.delete(record.connector);
          this.taskConfigs.set(record.connector, configs);
          tasks.add(record.connector);
          break;
        }
        case 'target-state':
          if (record.state) this.targetStates.set(record.connector, record.state);
          else this.targetStates.delete(record.connector);
          targetStates.add(record.connector);
          break;
        case 'restart':
          if (this.started) restarts.push({ connector: record.connector, request: record.request });
          break;
        case 'ignored':
          this.logger.debug(
            { key: record.key, offset: r.offset },
            `Config topic: skipped record ${record.key} (${record.reason})`,
          );
          break;
      }
    }
    if (connectors.size + tasks.size + targetStates.size + restarts.length > 0) {
      this.onChanges({ connectors, tasks, targetStates, restarts });
    }
  }
}
