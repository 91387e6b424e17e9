import type { TargetState } from './types.js';

// Where connector configs, their task configs and target states live. Standalone keeps them in
// memory (Kafka Connect's standalone mode does not persist them either); distributed mode backs this
// with the compacted config topic and applies what it reads back. Reads are local and synchronous.

export interface ConnectorConfigEntry {
  /** As the user wrote it: secrets and config-provider placeholders are kept, never resolved here. */
  readonly config: Record<string, string>;
  readonly targetState: TargetState;
  /** Empty until the connector generated them, and again once it is STOPPED. */
  readonly taskConfigs: readonly Record<string, string>[];
}

export interface ConfigStore {
  connectors(): string[];
  get(connector: string): ConnectorConfigEntry | undefined;
  putConnectorConfig(
    connector: string,
    config: Record<string, string>,
    targetState?: TargetState,
  ): Promise<void>;
  putTaskConfigs(connector: string, taskConfigs: readonly Record<string, string>[]): Promise<void>;
  putTargetState(connector: string, state: TargetState): Promise<void>;
  removeConnectorConfig(connector: string): Promise<void>;
}

export class MemoryConfigStore implements ConfigStore {
  private readonly entries = new Map<string, ConnectorConfigEntry>();

  connectors(): string[] {
    return [...this.entries.keys()].sort();
  }

  get(connector: string): ConnectorConfigEntry | undefined {
    return this.entries.get(connector);
  }

  async putConnectorConfig(
    connector: string,
    config: Record<string, string>,
    targetState?: TargetState,
  ): Promise<void> {
    const current = this.entries.get(connector);
    this.entries.set(connector, {
      config: { ...config },
      targetState: targetState ?? current?.targetState ?? 'STARTED',
      taskConfigs: current?.taskConfigs ?? [],
    });
  }

  async putTaskConfigs(connector: string, taskConfigs: readonly Record<string, string>[]): Promise<void> {
    const current = this.require(connector);
    this.entries.set(connector, { ...current, taskConfigs: taskConfigs.map((c) => ({ ...c })) });
  }

  async putTargetState(connector: string, state: TargetState): Promise<void> {
    const current = this.require(connector);
    this.entries.set(connector, { ...current, targetState: state });
  }

  async removeConnectorConfig(connector: string): Promise<void> {
    this.entries.delete(connector);
  }

  private require(connector: string): ConnectorConfigEntry {
    const entry = this.entries.get(connector);
    if (!entry) throw new Error(`Connector ${connector} has no stored config`);
    return entry;
  }
}
