import type { Logger } from 'pino';
import { maskSecrets, Password } from '../config/def.js';
import { NotFoundException } from '../errors.js';
import type { SinkPlugin } from '../sink/api.js';
import type { ConfigStore } from './config-store.js';
import { sinkGroupId } from './connector-config.js';
import { configKeyInfos, type ConnectorValidator } from './connector-validator.js';
import type { Herder, PutConnectorResult } from './herder.js';
import { BadRequestException, ForbiddenException } from './herder-errors.js';
import type { PluginRegistry } from './plugins.js';
import type { SinkOffsets } from './sink-offsets.js';
import type { StatusStore } from './status-store.js';
import type {
  ConfigInfos,
  ConfigKeyInfo,
  ConnectorInfo,
  ConnectorStateInfo,
  PluginInfo,
  RestartRequest,
  SinkOffsetEntry,
  TargetState,
  TaskInfo,
  TaskStateInfo,
} from './types.js';
import type { WorkerConfig } from './worker-config.js';

// What every herder does the same way whatever the mode: answering reads from the config and status
// stores, validating configs, describing plugins and reading offsets. Standalone and distributed mode
// differ only in how writes are applied, which their subclasses implement.

export interface HerderDeps {
  config: WorkerConfig;
  configStore: ConfigStore;
  statusStore: StatusStore;
  plugins: PluginRegistry;
  validator: ConnectorValidator;
  offsets: SinkOffsets;
  /** Converter class names this worker knows, for `/connector-plugins?connectorsOnly=false`. */
  converterClasses: readonly string[];
  headerConverterClasses: readonly string[];
  clusterId: () => Promise<string | null>;
  logger: Logger;
}

export abstract class AbstractHerder implements Herder {
  constructor(protected readonly deps: HerderDeps) {}

  abstract ready(): boolean;
  abstract putConnectorConfig(
    name: string,
    config: Record<string, string | null>,
    options: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<PutConnectorResult>;
  abstract deleteConnector(name: string): Promise<void>;
  abstract pauseConnector(name: string): Promise<void>;
  abstract resumeConnector(name: string): Promise<void>;
  abstract stopConnector(name: string): Promise<void>;
  abstract restartConnector(name: string, request: RestartRequest): Promise<ConnectorStateInfo | null>;
  abstract restartTask(name: string, task: number): Promise<void>;
  abstract alterConnectorOffsets(name: string, offsets: SinkOffsetEntry[]): Promise<boolean>;
  abstract resetConnectorOffsets(name: string): Promise<boolean>;

  async kafkaClusterId(): Promise<string | null> {
    return this.deps.clusterId();
  }

  async connectors(): Promise<string[]> {
    return this.deps.configStore.connectors();
  }

  async connectorInfo(name: string): Promise<ConnectorInfo> {
    const entry = this.requireConnector(name);
    return {
      name,
      config: this.maskConfig(entry.config),
      tasks: entry.taskConfigs.map((_, task) => ({ connector: name, task })),
      type: this.connectorType(entry.config),
    };
  }

  async connectorConfig(name: string): Promise<Record<string, string>> {
    return { ...this.requireConnector(name).config };
  }

  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    const current = this.requireConnector(name).config;
    if (patch.name !== undefined && patch.name !== name) {
      throw new BadRequestException(
        `Connector name configuration (${String(patch.name)}) doesn't match connector name in the URL (${name})`,
      );
    }
    const merged: Record<string, string> = { ...current };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    return (await this.putConnectorConfig(name, merged, { allowReplace: true })).info;
  }

  async taskConfigs(name: string): Promise<TaskInfo[]> {
    const entry = this.requireConnector(name);
    return entry.taskConfigs.map((config, task) => ({
      id: { connector: name, task },
      config: this.maskConfig(config),
    }));
  }

  async connectorStatus(name: string): Promise<ConnectorStateInfo> {
    const entry = this.deps.configStore.get(name);
    const status = this.deps.statusStore.getConnector(name);
    if (!entry || !status) throw new NotFoundException(`No status found for connector ${name}`);
    const tasks = [...this.deps.statusStore.getTasks(name).entries()]
      .filter(([task]) => task < entry.taskConfigs.length)
      .sort(([a], [b]) => a - b)
      .map(([id, t]) => ({
        id,
        state: t.state,
        worker_id: t.workerId,
        ...(t.trace ? { trace: t.trace } : {}),
      }));
    return {
      name,
      connector: {
        state: status.state,
        worker_id: status.workerId,
        ...(status.trace ? { trace: status.trace } : {}),
      },
      tasks,
      type: this.connectorType(entry.config),
    };
  }

  async taskStatus(name: string, task: number): Promise<TaskStateInfo> {
    const entry = this.deps.configStore.get(name);
    const status = this.deps.statusStore.getTasks(name).get(task);
    if (!entry || !status || task >= entry.taskConfigs.length)
      throw new NotFoundException(`No status found for task ${name}-${task}`);
    return {
      id: task,
      state: status.state,
      worker_id: status.workerId,
      ...(status.trace ? { trace: status.trace } : {}),
    };
  }

  async connectorActiveTopics(name: string): Promise<string[]> {
    if (!this.deps.config.topicTrackingEnable) throw new ForbiddenException('Topic tracking is disabled.');
    this.requireConnector(name);
    return this.deps.statusStore.topics(name);
  }

  async resetConnectorActiveTopics(name: string): Promise<void> {
    if (!this.deps.config.topicTrackingEnable) throw new ForbiddenException('Topic tracking is disabled.');
    if (!this.deps.config.topicTrackingAllowReset)
      throw new ForbiddenException('Topic tracking reset is disabled.');
    this.requireConnector(name);
    this.deps.statusStore.resetTopics(name);
  }

  async connectorOffsets(name: string): Promise<SinkOffsetEntry[]> {
    const entry = this.requireConnector(name);
    return this.deps.offsets.get(sinkGroupId(name, entry.config));
  }

  async validateConnectorConfig(
    config: Record<string, string | null>,
    plugin?: string,
  ): Promise<ConfigInfos> {
    let input = config;
    if (plugin !== undefined) {
      const requested = this.deps.plugins.find(plugin);
      if (!requested) throw new BadRequestException(`Unknown plugin ${plugin}.`);
      const included = config['connector.class'];
      if (included !== undefined && included !== null && this.deps.plugins.find(included) !== requested) {
        throw new BadRequestException(
          `Included connector type ${included} does not match request type ${plugin}`,
        );
      }
      input = { ...config, 'connector.class': included ?? plugin };
    }
    return (await this.deps.validator.validate(input)).infos;
  }

  connectorPlugins(connectorsOnly: boolean): PluginInfo[] {
    const out: PluginInfo[] = this.deps.plugins.list().map(({ plugin }) => ({
      class: plugin.aliases[0] ?? plugin.name,
      type: 'sink',
      version: plugin.version,
    }));
    if (!connectorsOnly) {
      for (const c of this.deps.converterClasses) out.push({ class: c, type: 'converter' });
      for (const c of this.deps.headerConverterClasses) out.push({ class: c, type: 'header_converter' });
    }
    return out;
  }

  connectorPluginConfig(plugin: string): ConfigKeyInfo[] {
    const found = this.deps.plugins.find(plugin);
    if (!found) throw new NotFoundException(`Unknown plugin ${plugin}.`);
    return configKeyInfos(this.deps.validator.definitionFor(found));
  }

  maskConfig(config: Record<string, string>): Record<string, string> {
    const plugin = this.pluginOf(config);
    return maskSecrets(config, plugin ? this.deps.validator.definitionFor(plugin) : undefined);
  }

  /**
   * REST clients that read a config (with secrets shown as `[hidden]`) and PUT it back must not
   * overwrite the real secret with the mask: a masked value keeps the stored one.
   */
  protected unmaskSecrets(
    name: string,
    config: Record<string, string | null>,
  ): Record<string, string | null> {
    const current = this.deps.configStore.get(name)?.config;
    if (!current) return config;
    const out = { ...config };
    for (const [k, v] of Object.entries(config)) {
      if (v === Password.HIDDEN && current[k] !== undefined) out[k] = current[k]!;
    }
    return out;
  }

  protected requireConnector(name: string) {
    const entry = this.deps.configStore.get(name);
    if (!entry) throw new NotFoundException(`Connector ${name} not found`);
    return entry;
  }

  protected pluginOf(config: Record<string, string>): SinkPlugin | null {
    try {
      return this.deps.plugins.find(config['connector.class'] ?? '');
    } catch {
      return null;
    }
  }

  private connectorType(config: Record<string, string>): 'sink' | 'unknown' {
    return this.pluginOf(config) ? 'sink' : 'unknown';
  }
}
