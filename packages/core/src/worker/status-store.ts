import type { ConnectorState, TaskStateName } from './types.js';

// Where connector and task statuses live. Standalone keeps them in memory; distributed mode backs
// this with the status topic (every worker writes its own, reads everybody's). Reads are local and
// synchronous, as Kafka Connect's status backing store serves them from its cache.

export interface ConnectorStatus {
  state: ConnectorState;
  workerId: string;
  trace?: string;
}

export interface TaskStatusRecord {
  state: TaskStateName;
  workerId: string;
  trace?: string;
}

export interface StatusStore {
  putConnector(connector: string, status: ConnectorStatus): void;
  putTask(connector: string, task: number, status: TaskStatusRecord): void;
  getConnector(connector: string): ConnectorStatus | undefined;
  /** Task statuses of a connector, by task number. */
  getTasks(connector: string): ReadonlyMap<number, TaskStatusRecord>;
  deleteTask(connector: string, task: number): void;
  /** Forgets the connector, its tasks and its active topics. */
  deleteConnector(connector: string): void;
  /** Topics the connector has consumed from (KIP-558 topic tracking); `task` is the task that first read it. */
  putTopic(connector: string, topic: string, task: number): void;
  topics(connector: string): string[];
  resetTopics(connector: string): void;
}

export class MemoryStatusStore implements StatusStore {
  private readonly connectors = new Map<string, ConnectorStatus>();
  private readonly tasks = new Map<string, Map<number, TaskStatusRecord>>();
  private readonly activeTopics = new Map<string, Set<string>>();

  constructor(private readonly listener?: StatusListener) {}

  putConnector(connector: string, status: ConnectorStatus): void {
    this.connectors.set(connector, status);
    this.listener?.connector(connector, status.state);
  }

  putTask(connector: string, task: number, status: TaskStatusRecord): void {
    let tasks = this.tasks.get(connector);
    if (!tasks) this.tasks.set(connector, (tasks = new Map()));
    tasks.set(task, status);
    this.listener?.task(connector, task, status.state);
  }

  getConnector(connector: string): ConnectorStatus | undefined {
    return this.connectors.get(connector);
  }

  getTasks(connector: string): ReadonlyMap<number, TaskStatusRecord> {
    return this.tasks.get(connector) ?? new Map();
  }

  deleteTask(connector: string, task: number): void {
    if (this.tasks.get(connector)?.delete(task)) this.listener?.task(connector, task, null);
  }

  deleteConnector(connector: string): void {
    for (const task of this.getTasks(connector).keys()) this.listener?.task(connector, task, null);
    this.tasks.delete(connector);
    this.connectors.delete(connector);
    this.activeTopics.delete(connector);
    this.listener?.connector(connector, null);
  }

  putTopic(connector: string, topic: string, _task: number): void {
    let topics = this.activeTopics.get(connector);
    if (!topics) this.activeTopics.set(connector, (topics = new Set()));
    topics.add(topic);
  }

  topics(connector: string): string[] {
    return [...(this.activeTopics.get(connector) ?? [])].sort();
  }

  resetTopics(connector: string): void {
    this.activeTopics.delete(connector);
  }
}

/** Told about every status change (the metrics registry listens); null = the status was removed. */
export interface StatusListener {
  connector(connector: string, state: ConnectorState | null): void;
  task(connector: string, task: number, state: TaskStateName | null): void;
}
