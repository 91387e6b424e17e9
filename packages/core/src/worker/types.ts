// The shapes the herder hands to the REST layer. Field names are Kafka Connect's REST entities
// (ConnectorInfo, ConnectorStateInfo, TaskInfo, ConfigInfos) so that handlers serialise them as they are.

/** What the user asked for (stored with the config); the status says what actually happens. */
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';

export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';
export type TaskStateName = Exclude<ConnectorState, 'STOPPED'>;

export type ConnectorType = 'sink' | 'source' | 'unknown';

export interface ConnectorTaskId {
  connector: string;
  task: number;
}

export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: ConnectorTaskId[];
  type: ConnectorType;
}

export interface StateInfo {
  state: ConnectorState;
  worker_id: string;
  trace?: string;
}

export interface TaskStateInfo extends StateInfo {
  id: number;
}

export interface ConnectorStateInfo {
  name: string;
  connector: StateInfo;
  tasks: TaskStateInfo[];
  type: ConnectorType;
}

export interface TaskInfo {
  id: ConnectorTaskId;
  config: Record<string, string>;
}

export interface ConfigKeyInfo {
  name: string;
  type: string;
  required: boolean;
  default_value: string | null;
  importance: string;
  documentation: string;
  group: string | null;
  order: number;
  width: string;
  display_name: string;
  dependents: string[];
}

export interface ConfigValueInfo {
  name: string;
  value: string | null;
  recommended_values: string[];
  errors: string[];
  visible: boolean;
}

export interface ConfigInfo {
  definition: ConfigKeyInfo | null;
  value: ConfigValueInfo;
}

export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: ConfigInfo[];
}

export interface RestartRequest {
  includeTasks: boolean;
  onlyFailed: boolean;
}

/** Sink offsets in the REST shape of KIP-875. */
export interface SinkOffsetEntry {
  partition: { kafka_topic: string; kafka_partition: number };
  offset: { kafka_offset: number } | null;
}

export interface PluginInfo {
  class: string;
  type: 'sink' | 'source' | 'converter' | 'header_converter' | 'transformation' | 'predicate';
  version?: string;
}
