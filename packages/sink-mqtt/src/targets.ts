import {
  RecordView,
  describeType,
  isDecimal,
  projectRecord,
  type ProjectionStatement,
} from '@sluice/core/sink';
import type { TargetRule } from './routes.js';

// The MQTT topic a record goes to. Dynamic targets come from data, so each one is checked before it is
// published: a topic with a wildcard or a NUL would make the broker drop the connection, which would
// stall every record in flight, so such a record is refused on its own (DLQ) instead.

/** MQTT topic names are length-prefixed with two bytes. */
export const MAX_TOPIC_BYTES = 65_535;

/** Why `topic` cannot be published to, or null when it can (MQTT 3.1.1 §4.7, MQTT 5 §4.7). */
export function topicNameProblem(topic: string): string | null {
  if (topic === '') return 'it is empty';
  if (topic.includes('+') || topic.includes('#'))
    return "it contains a wildcard ('+' or '#'), which only subscriptions may use";
  if (topic.includes('\u0000')) return 'it contains a NUL character';
  if (Buffer.byteLength(topic, 'utf8') > MAX_TOPIC_BYTES) return `it is longer than ${MAX_TOPIC_BYTES} bytes`;
  return null;
}

/** Resolves the target of one record; throws a DataException naming the record when it has none. */
export function resolveTarget(view: RecordView, rule: TargetRule): string {
  const record = view.record;
  let topic: string;
  switch (rule.kind) {
    case 'static':
      return rule.topic;
    case 'kafka-topic':
      topic = record.topic;
      break;
    case 'key':
      topic = topicText(view, record.key, 'the record key', '_key');
      break;
    case 'field': {
      const label = rule.path.join('.');
      if (record.value === null || record.value === undefined) {
        throw view.error(
          `the value is null (a tombstone), so the target topic cannot be read from its field '${label}'`,
        );
      }
      const value = projectRecord(view, rule.selection)[TARGET];
      topic = topicText(view, value, `field '${label}'`, label);
      break;
    }
  }
  const problem = topicNameProblem(topic);
  if (problem) throw view.error(`the target MQTT topic '${topic}' cannot be published to: ${problem}`);
  return topic;
}

const TARGET = 'target';

/** The target field as a one-field KCQL projection, so that paths resolve as in every select list. */
export function fieldSelection(path: readonly string[]): ProjectionStatement {
  return {
    fields: [
      {
        name: path.at(-1)!,
        alias: TARGET,
        type: 'VALUE',
        parents: path.length > 1 ? path.slice(0, -1) : null,
      },
    ],
    keyFields: [],
    headerFields: [],
    ignoredFields: [],
    retainStructure: false,
  };
}

function topicText(view: RecordView, value: unknown, what: string, field: string): string {
  if (value === null || value === undefined) {
    throw view.error(`${what} is null, so there is no MQTT topic to publish to`, field);
  }
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (isDecimal(value)) return value.toString();
  throw view.error(
    `${what} is ${describeType(value)}; an MQTT topic needs a string (or number). ` +
      (field === '_key'
        ? 'Use a string key (key.converter=StringConverter).'
        : 'Point the target at a string field.'),
    field,
  );
}
