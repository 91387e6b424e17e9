import type { Logger } from 'pino';
import type { ConnectorStatus, StatusListener, StatusStore, TaskStatusRecord } from '../status-store.js';
import type { ConnectorState, TaskStateName } from '../types.js';
import type { LogRecord, LogWriter, OutgoingRecord, TopicLog } from './internal-kafka.js';

// The status store of distributed mode, Kafka Connect's KafkaStatusBackingStore: each worker writes
// the status of what it runs to the status topic and replays everybody's, so any worker answers
// `/status` for the whole cluster. Keys and values are Kafka Connect's:
//   status-connector-<name>                {"state":…,"trace":…,"worker_id":"host:port","generation":N}
//   status-task-<name>-<n>                 the same
//   status-topic-<topic>:connector-<name>  {"topic":{"name":…,"connector":…,"task":n,"discoverTimestamp":ms}}
// Reads are served from memory. Writes update memory at once and are sent in order in the
// background; once started, records this worker wrote itself are not applied again when read back,
// so a slow echo cannot undo a newer local change. The metrics listener hears only about statuses of
// work running on this worker.

interface StatusValue {
  state: string;
  trace: string | null;
  worker_id: string;
  generation: number;
}

export class KafkaStatusStore implements StatusStore {
  private readonly connectorStatus = new Map<string, ConnectorStatus>();
  private readonly taskStatus = new Map<string, Map<number, TaskStatusRecord>>();
  private readonly activeTopics = new Map<string, Set<string>>();
  /** The group generation each task status was written at, for putTaskSafe. */
  private readonly taskGenerations = new Map<string, number>();
  /** The same for connector statuses, for putConnectorSafe. */
  private readonly connectorGenerations = new Map<string, number>();
  private readonly log: TopicLog;
  private writer: LogWriter | null = null;
  private sending: Promise<void> = Promise.resolve();
  private started = false;

  constructor(
    openLog: (onRecords: (records: readonly LogRecord[]) => void) => TopicLog,
    private readonly workerId: () => string,
    private readonly generation: () => number,
    private readonly logger: Logger,
    private readonly listener?: StatusListener,
  ) {
    this.log = openLog((records) => this.apply(records));
  }

  async start(writer: LogWriter, timeoutMs: number): Promise<void> {
    this.writer = writer;
    await this.log.start(timeoutMs);
    this.started = true;
  }

  /** Resolves once every status written so far reached Kafka (before leaving the group). */
  async flush(): Promise<void> {
    await this.sending;
  }

  async stop(): Promise<void> {
    await this.flush();
    await this.log.stop();
  }

  readToEnd(timeoutMs: number): Promise<void> {
    return this.log.readToEnd(timeoutMs);
  }

  putConnector(connector: string, status: ConnectorStatus): void {
    this.connectorStatus.set(connector, status);
    this.connectorGenerations.set(connector, this.generation());
    this.listener?.connector(connector, status.state);
    this.send({ key: `status-connector-${connector}`, value: this.statusValue(status) });
  }

  putTask(connector: string, task: number, status: TaskStatusRecord): void {
    this.tasksOf(connector).set(task, status);
    this.taskGenerations.set(`${connector}-${task}`, this.generation());
    this.listener?.task(connector, task, status.state);
    this.send({ key: `status-task-${connector}-${task}`, value: this.statusValue(status) });
  }

  /**
   * Kafka Connect's putSafe: writes the status unless another worker wrote one at a newer group
   * generation (it took the task over), so a worker that stops a task late cannot hide the new
   * owner's status. Returns whether it was written.
   */
  putTaskSafe(connector: string, task: number, status: TaskStatusRecord): boolean {
    const current = this.getTasks(connector).get(task);
    if (this.newerElsewhere(current, this.taskGenerations.get(`${connector}-${task}`))) return false;
    this.putTask(connector, task, status);
    return true;
  }

  /** putTaskSafe for a connector's own status. */
  putConnectorSafe(connector: string, status: ConnectorStatus): boolean {
    const current = this.connectorStatus.get(connector);
    if (this.newerElsewhere(current, this.connectorGenerations.get(connector))) return false;
    this.putConnector(connector, status);
    return true;
  }

  /** Another worker wrote the current status at a newer generation than this worker's. */
  private newerElsewhere(current: { workerId: string } | undefined, generation: number | undefined): boolean {
    return (
      current !== undefined && current.workerId !== this.workerId() && (generation ?? -1) > this.generation()
    );
  }

  getConnector(connector: string): ConnectorStatus | undefined {
    return this.connectorStatus.get(connector);
  }

  getTasks(connector: string): ReadonlyMap<number, TaskStatusRecord> {
    return this.taskStatus.get(connector) ?? new Map();
  }

  deleteTask(connector: string, task: number): void {
    this.dropTask(connector, task);
    this.send({ key: `status-task-${connector}-${task}`, value: null });
  }

  deleteConnector(connector: string): void {
    for (const task of [...this.getTasks(connector).keys()]) this.deleteTask(connector, task);
    this.resetTopics(connector);
    this.dropConnector(connector);
    this.send({ key: `status-connector-${connector}`, value: null });
  }

  putTopic(connector: string, topic: string, task: number): void {
    this.topicsOf(connector).add(topic);
    const value = { topic: { name: topic, connector, task, discoverTimestamp: Date.now() } };
    this.send({ key: topicKey(topic, connector), value: Buffer.from(JSON.stringify(value)) });
  }

  topics(connector: string): string[] {
    return [...(this.activeTopics.get(connector) ?? [])].sort();
  }

  resetTopics(connector: string): void {
    for (const topic of this.topics(connector)) this.send({ key: topicKey(topic, connector), value: null });
    this.activeTopics.delete(connector);
  }

  private statusValue(status: ConnectorStatus | TaskStatusRecord): Buffer {
    const value: StatusValue = {
      state: status.state,
      trace: status.trace ?? null,
      worker_id: status.workerId,
      generation: this.generation(),
    };
    return Buffer.from(JSON.stringify(value));
  }

  private send(record: OutgoingRecord): void {
    const writer = this.writer;
    if (!writer) return;
    this.sending = this.sending
      .then(() => writer.send([record]))
      .catch((e: unknown) =>
        this.logger.error(
          { err: e, key: record.key },
          `Could not write status ${record.key} to the status topic; other workers show an older status`,
        ),
      );
  }

  private apply(records: readonly LogRecord[]): void {
    for (const r of records) {
      if (r.key === null) continue;
      try {
        this.applyOne(r.key, r.value);
      } catch (e) {
        this.logger.warn(
          { key: r.key, partition: r.partition, offset: r.offset, err: e },
          `Status topic: skipped unreadable record ${r.key}`,
        );
      }
    }
  }

  private applyOne(key: string, raw: Buffer | null): void {
    if (key.startsWith('status-topic-')) {
      const m = /^status-topic-(.+):connector-(.+)$/.exec(key);
      if (!m) return;
      if (raw === null) this.activeTopics.get(m[2]!)?.delete(m[1]!);
      else this.topicsOf(m[2]!).add(m[1]!);
      return;
    }
    const value = raw === null ? null : (JSON.parse(raw.toString('utf8')) as StatusValue);
    const self = this.workerId();
    // Our own writes coming back: memory already holds them, or something newer.
    if (this.started && value?.worker_id === self) return;
    if (key.startsWith('status-connector-')) {
      const connector = key.slice('status-connector-'.length);
      if (value === null) return this.dropConnector(connector);
      const wasOurs = this.connectorStatus.get(connector)?.workerId === self;
      this.connectorGenerations.set(connector, typeof value.generation === 'number' ? value.generation : -1);
      this.connectorStatus.set(connector, {
        state: value.state as ConnectorState,
        workerId: value.worker_id,
        ...(value.trace ? { trace: value.trace } : {}),
      });
      if (wasOurs) this.listener?.connector(connector, null);
      return;
    }
    const m = /^status-task-(.+)-(\d+)$/.exec(key);
    if (!m) return;
    const connector = m[1]!;
    const task = Number(m[2]);
    if (value === null) return this.dropTask(connector, task);
    const wasOurs = this.taskStatus.get(connector)?.get(task)?.workerId === self;
    this.taskGenerations.set(
      `${connector}-${task}`,
      typeof value.generation === 'number' ? value.generation : -1,
    );
    this.tasksOf(connector).set(task, {
      state: value.state as TaskStateName,
      workerId: value.worker_id,
      ...(value.trace ? { trace: value.trace } : {}),
    });
    if (wasOurs) this.listener?.task(connector, task, null);
  }

  private dropConnector(connector: string): void {
    if (this.connectorStatus.delete(connector)) this.listener?.connector(connector, null);
  }

  private dropTask(connector: string, task: number): void {
    if (this.taskStatus.get(connector)?.delete(task)) this.listener?.task(connector, task, null);
  }

  private tasksOf(connector: string): Map<number, TaskStatusRecord> {
    let tasks = this.taskStatus.get(connector);
    if (!tasks) this.taskStatus.set(connector, (tasks = new Map()));
    return tasks;
  }

  private topicsOf(connector: string): Set<string> {
    let topics = this.activeTopics.get(connector);
    if (!topics) this.activeTopics.set(connector, (topics = new Set()));
    return topics;
  }
}

const topicKey = (topic: string, connector: string) => `status-topic-${topic}:connector-${connector}`;
