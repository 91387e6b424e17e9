import { overridePolicyViolations } from '../kafka/client-config.js';
import { maskSecrets, Password, type ConfigDef, type ConfigKey, type ConfigValue } from '../config/def.js';
import { errorsConfigDef } from '../sink/errors-config.js';
import type { SinkPlugin } from '../sink/api.js';
import { ConnectException } from '../errors.js';
import { commonConnectorConfigDef, sinkGroupId } from './connector-config.js';
import { configured, converterSettings, type ConverterFactory, type ConverterKind } from './converters.js';
import { BadRequestException } from './herder-errors.js';
import type { PluginRegistry } from './plugins.js';
import type { ConfigInfo, ConfigInfos, ConfigKeyInfo } from './types.js';
import type { WorkerConfig } from './worker-config.js';

// Connector config validation as Kafka Connect's AbstractHerder.validateConnectorConfig does it:
// common keys + `errors.*` + the plugin's keys, the sink rules across keys, the plugin's own checks,
// then the converters. The result is REST's ConfigInfos; create/update turn errors into a 400.

export interface ValidationOutcome {
  infos: ConfigInfos;
  plugin: SinkPlugin;
  /** The full definition the config was checked against (for masking secrets). */
  def: ConfigDef;
}

export class ConnectorValidator {
  constructor(
    private readonly plugins: PluginRegistry,
    private readonly worker: WorkerConfig,
    private readonly converters: ConverterFactory,
  ) {}

  /** The definition a connector of this plugin is validated against. */
  definitionFor(plugin: SinkPlugin): ConfigDef {
    return commonConnectorConfigDef.merge(errorsConfigDef).merge(plugin.configDef);
  }

  async validate(input: Record<string, string | null>): Promise<ValidationOutcome> {
    const connectorClass = input['connector.class'];
    if (connectorClass === undefined || connectorClass === null || connectorClass.trim() === '') {
      const shown = JSON.stringify(maskSecrets(withoutNulls(input)));
      throw new BadRequestException(`Connector config ${shown} contains no connector type`);
    }
    let plugin: SinkPlugin;
    try {
      plugin = this.plugins.resolve(connectorClass);
    } catch (e) {
      throw new BadRequestException((e as Error).message);
    }
    const config = withoutNulls(input);
    const def = this.definitionFor(plugin);
    const errors = new Map<string, string[]>();
    const addError = (key: string, message: string) => {
      const list = errors.get(key) ?? [];
      list.push(message);
      errors.set(key, list);
    };
    for (const [key, value] of Object.entries(input)) {
      if (value === null) addError(key, 'Null value can not be supplied as the configuration value.');
    }
    this.checkSinkRules(config, addError);
    try {
      for (const [key, messages] of Object.entries(plugin.validate?.(config) ?? {})) {
        for (const m of messages) addError(key, m);
      }
    } catch (e) {
      throw new ConnectException(
        `Connector ${plugin.name} failed to validate its config: ${(e as Error).message}`,
        { cause: e },
      );
    }
    for (const kind of ['key', 'value', 'header'] as ConverterKind[]) {
      const settings = converterSettings(this.worker, config, kind);
      if (settings.from !== 'connector') continue;
      try {
        const instance = await configured(this.converters, settings, kind);
        await instance.close?.();
      } catch (e) {
        addError(`${kind}.converter`, (e as Error).message);
      }
    }
    return { infos: renderInfos(connectorClass, def, config, errors), plugin, def };
  }

  /** Validates for create/update: throws BadRequestException listing every error. */
  async assertValid(config: Record<string, string | null>): Promise<ValidationOutcome> {
    const outcome = await this.validate(config);
    const { infos, plugin } = outcome;
    if (infos.error_count > 0) {
      const messages = infos.configs.flatMap((c) => c.value.errors);
      throw new BadRequestException(
        `Connector configuration is invalid and contains the following ${infos.error_count} error(s):\n` +
          messages.join('\n') +
          `\nYou can also find the above list of errors at the endpoint \`/connector-plugins/${plugin.className}/config/validate\``,
      );
    }
    return outcome;
  }

  private checkSinkRules(
    config: Record<string, string>,
    addError: (key: string, message: string) => void,
  ): void {
    const topics = splitList(config['topics']);
    const regex = config['topics.regex']?.trim() ?? '';
    if (topics.length > 0 && regex !== '') {
      const m = 'topics and topics.regex are mutually exclusive options, but both are set.';
      addError('topics', m);
      addError('topics.regex', m);
    } else if (topics.length === 0 && regex === '') {
      const m = 'Must configure one of topics or topics.regex';
      addError('topics', m);
      addError('topics.regex', m);
    }
    let pattern: RegExp | null = null;
    if (regex !== '') {
      try {
        pattern = new RegExp(`^(?:${regex})$`);
      } catch (e) {
        addError('topics.regex', `Invalid regex: ${(e as Error).message}`);
      }
    }
    const dlq = config['errors.deadletterqueue.topic.name']?.trim() ?? '';
    if (dlq !== '') {
      if (topics.includes(dlq)) {
        addError(
          'errors.deadletterqueue.topic.name',
          `The DLQ topic '${dlq}' may not be included in the list of topics ('topics=${topics.join(',')}') consumed by the connector`,
        );
      }
      if (pattern?.test(dlq)) {
        addError(
          'errors.deadletterqueue.topic.name',
          `The DLQ topic '${dlq}' may not be matched by the regex for the topics ('topics.regex=${regex}') consumed by the connector`,
        );
      }
    }
    for (const v of overridePolicyViolations(this.worker.overridePolicy, config)) addError(v.key, v.message);
    const workerGroup = this.worker.groupId;
    if (
      workerGroup !== null &&
      config['name'] !== undefined &&
      sinkGroupId(config['name'], config) === workerGroup
    ) {
      const key = config['consumer.override.group.id'] !== undefined ? 'consumer.override.group.id' : 'name';
      addError(
        key,
        `Consumer group ${workerGroup} conflicts with Connect worker group ${workerGroup}; ` +
          'set consumer.override.group.id to another group or rename the connector.',
      );
    }
  }
}

/** Kafka Connect's ConfigKeyInfo for one key; `order` is the position within its group, from 1. */
export function configKeyInfo(key: ConfigKey, order: number): ConfigKeyInfo {
  const required = key.default === undefined;
  return {
    name: key.name,
    type: key.type,
    required,
    default_value: required ? null : renderValue(key.default ?? null, key.type === 'PASSWORD'),
    importance: key.importance,
    documentation: key.doc,
    group: key.group ?? null,
    order,
    width: 'NONE',
    display_name: key.name,
    dependents: [],
  };
}

/** Every key of a definition as ConfigKeyInfo (`GET /connector-plugins/{plugin}/config`). */
export function configKeyInfos(def: ConfigDef): ConfigKeyInfo[] {
  const perGroup = new Map<string, number>();
  return [...def.configKeys().values()].map((key) => {
    const group = key.group ?? '';
    const order = (perGroup.get(group) ?? 0) + 1;
    perGroup.set(group, order);
    return configKeyInfo(key, order);
  });
}

function renderInfos(
  connectorClass: string,
  def: ConfigDef,
  config: Record<string, string>,
  extraErrors: Map<string, string[]>,
): ConfigInfos {
  const keyInfos = new Map(configKeyInfos(def).map((k) => [k.name, k]));
  const configs: ConfigInfo[] = def.validate(config).map((v) => ({
    definition: keyInfos.get(v.name) ?? null,
    value: {
      name: v.name,
      value: v.value,
      recommended_values: v.recommendedValues,
      errors: [...v.errors, ...(extraErrors.get(v.name) ?? [])],
      visible: v.visible,
    },
  }));
  // Errors about keys the definition does not know (e.g. client overrides) get an entry of their own.
  const masked = maskSecrets(config);
  for (const [name, messages] of extraErrors) {
    if (keyInfos.has(name)) continue;
    configs.push({
      definition: null,
      value: { name, value: masked[name] ?? null, recommended_values: [], errors: messages, visible: true },
    });
  }
  const groups: string[] = [];
  for (const k of keyInfos.values()) if (k.group && !groups.includes(k.group)) groups.push(k.group);
  return {
    name: connectorClass,
    error_count: configs.reduce((n, c) => n + c.value.errors.length, 0),
    groups,
    configs,
  };
}

function renderValue(value: ConfigValue, secret: boolean): string | null {
  if (value === null) return null;
  if (secret || value instanceof Password) return Password.HIDDEN;
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function withoutNulls(input: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) if (v !== null) out[k] = v;
  return out;
}
