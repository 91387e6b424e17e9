import type {
  ConfigKeyInfo,
  ConfigInfos,
  ConnectorInfo,
  ConnectorStateInfo,
  PluginInfo,
  RestartRequest,
  SinkOffsetEntry,
  TargetState,
  TaskInfo,
  TaskStateInfo,
} from './types.js';

// What the REST API drives. Standalone and distributed mode implement it; the REST layer knows
// nothing else. Errors are thrown as NotFoundException (404), AlreadyExistsException (409),
// BadRequestException (400), ForbiddenException (403), ConflictException (409); anything else is a 500.

export interface PutConnectorResult {
  created: boolean;
  info: ConnectorInfo;
}

export interface Herder {
  /** True once startup completed (`GET /health`). */
  ready(): boolean;
  /** Why a started worker cannot do its work right now (`GET /health` answers 503 with it); null when healthy. */
  healthProblem?(): string | null;
  /** Kafka cluster id for `GET /`; null while Kafka cannot be reached. */
  kafkaClusterId(): Promise<string | null>;

  connectors(): Promise<string[]>;
  connectorInfo(name: string): Promise<ConnectorInfo>;
  /** The config as submitted: secrets are the caller's to mask, placeholders are not resolved. */
  connectorConfig(name: string): Promise<Record<string, string>>;
  /** Creates (or, with allowReplace, updates) a connector; validates first. */
  putConnectorConfig(
    name: string,
    config: Record<string, string | null>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<PutConnectorResult>;
  /** Merges a partial config (a null value removes the key) into an existing connector's. */
  patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo>;
  deleteConnector(name: string): Promise<void>;

  pauseConnector(name: string): Promise<void>;
  resumeConnector(name: string): Promise<void>;
  stopConnector(name: string): Promise<void>;
  /** null when only the connector instance was restarted (REST 204); otherwise the status to return with 202. */
  restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null>;
  restartTask(name: string, task: number): Promise<void>;

  taskConfigs(name: string): Promise<TaskInfo[]>;
  connectorStatus(name: string): Promise<ConnectorStateInfo>;
  taskStatus(name: string, task: number): Promise<TaskStateInfo>;

  connectorActiveTopics(name: string): Promise<string[]>;
  resetConnectorActiveTopics(name: string): Promise<void>;

  connectorOffsets(name: string): Promise<SinkOffsetEntry[]>;
  /** Returns whether the connector's own offsets were altered too (Kafka Connect's two success messages). */
  alterConnectorOffsets(name: string, offsets: SinkOffsetEntry[]): Promise<boolean>;
  resetConnectorOffsets(name: string): Promise<boolean>;

  /** `{plugin}` is the path segment of the validate endpoint (full class, simple name or alias). */
  validateConnectorConfig(config: Record<string, string | null>, plugin?: string): Promise<ConfigInfos>;
  connectorPlugins(connectorsOnly: boolean): PluginInfo[];
  connectorPluginConfig(plugin: string): ConfigKeyInfo[];
  /** A config with its secret values masked, for REST output and logs. */
  maskConfig(config: Record<string, string>): Record<string, string>;
}
