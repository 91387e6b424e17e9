import { ConfigDef, validators, type ConfigKey } from '../config/def.js';

// Kafka Connect's common connector keys (ConnectorConfig + SinkConnectorConfig). The sink engine's
// `errors.*` keys and the plugin's own keys are merged on top of these for validation.

export const COMMON_GROUP = 'Common';

// Kafka Connect rejects ISO control characters in connector names (they break URLs and logs).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export const commonConnectorConfigDef = new ConfigDef()
  .define({
    name: 'name',
    type: 'STRING',
    importance: 'HIGH',
    group: COMMON_GROUP,
    doc: 'Globally unique name to use for this connector.',
    validator: (v) => {
      validators.nonEmptyString()(v, 'name');
      if (typeof v === 'string' && CONTROL_CHARS.test(v))
        throw new Error('String may not contain control sequences');
    },
  })
  .define({
    name: 'connector.class',
    type: 'STRING',
    importance: 'HIGH',
    group: COMMON_GROUP,
    doc: 'Name or alias of the class for this connector: the npm package name, the full class name (e.g. a Stream Reactor class), the simple class name, or the simple name without "Connector".',
  })
  .define({
    name: 'tasks.max',
    type: 'INT',
    default: 1,
    importance: 'HIGH',
    group: COMMON_GROUP,
    doc: 'Maximum number of tasks to use for this connector.',
    validator: validators.atLeast(1),
  })
  .define({
    name: 'tasks.max.enforce',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    group: COMMON_GROUP,
    doc: 'Fail the connector when it generates more task configs than tasks.max.',
  })
  .define(
    converterKey(
      'key.converter',
      "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages. Defaults to the worker's.",
    ),
  )
  .define(converterKey('value.converter', "Converter class for record values. Defaults to the worker's."))
  .define(
    converterKey('header.converter', "HeaderConverter class for header values. Defaults to the worker's."),
  )
  .define({
    name: 'transforms',
    type: 'LIST',
    default: [],
    importance: 'LOW',
    group: COMMON_GROUP,
    doc: 'Aliases for the transformations to be applied to records. Single Message Transforms are not supported by Sluice yet: leave this empty.',
    validator: (v) => {
      if (Array.isArray(v) && v.length > 0) {
        throw new Error(
          'Single Message Transforms are not supported by Sluice yet; remove "transforms" from the config',
        );
      }
    },
  })
  .define({
    name: 'topics',
    type: 'LIST',
    default: [],
    importance: 'HIGH',
    group: COMMON_GROUP,
    doc: 'List of topics to consume, separated by commas',
  })
  .define({
    name: 'topics.regex',
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: COMMON_GROUP,
    doc: 'Regular expression giving topics to consume. Under the hood, the regex is compiled to a RegExp. Only one of topics or topics.regex should be specified.',
  });

function converterKey(name: string, doc: string): ConfigKey {
  return { name, type: 'CLASS', default: null, importance: 'LOW', group: COMMON_GROUP, doc };
}

export function sinkGroupId(connectorName: string, config: Record<string, string>): string {
  return config['consumer.override.group.id']?.trim() || `connect-${connectorName}`;
}

export function parseTasksMax(config: Record<string, string>): number {
  const n = Number(config['tasks.max'] ?? '1');
  return Number.isInteger(n) && n >= 1 ? n : 1;
}
