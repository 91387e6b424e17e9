import { ConfigException, type KcqlStatement, type ProjectionStatement } from '@sluice/core/sink';
import { KCQL_KEY, TARGET_FROM_FIELD } from './config.js';
import { fieldSelection, topicNameProblem } from './targets.js';

// A KCQL statement compiled into what the sink does with each record of its topic: where the message
// goes (a fixed MQTT topic, the record key, the Kafka topic, or a field of the value) and whether the
// payload is the value itself (Stream Reactor ≥ 9, `SELECT *`) or a JSON projection (≤ 8.x select lists,
// IGNORE, WITHSTRUCTURE). Both generations' statements are accepted; what neither can honour is refused.

export type TargetRule =
  | { readonly kind: 'static'; readonly topic: string }
  | { readonly kind: 'key' }
  | { readonly kind: 'kafka-topic' }
  | { readonly kind: 'field'; readonly path: readonly string[]; readonly selection: ProjectionStatement };

export interface MqttRoute {
  readonly statement: KcqlStatement;
  readonly target: TargetRule;
  /** true: the value as it is (bytes, text) or as JSON (Struct, Map); false: JSON of the KCQL projection. */
  readonly passThrough: boolean;
}

/** The parts of a parsed statement (`@sluice/kcql`) that only the MQTT sink reads. */
interface MqttClauses {
  readonly dynamicTarget?: string | null;
  readonly withConverter?: string | null;
  readonly properties?: Readonly<Record<string, string>>;
}

const KNOWN_PROPERTIES = [TARGET_FROM_FIELD];

/** Stream Reactor's BytesConverter (any of its packages) forwards the value unchanged, as pass-through does. */
const BYTES_CONVERTER = /(^|\.)BytesConverter$/;

/** Compiles one statement (the kit checked its clauses); `index` only numbers it in messages. */
export function compileRoute(statement: KcqlStatement, index?: number): MqttRoute {
  const clauses = statement as KcqlStatement & MqttClauses;
  const label = `statement ${index === undefined ? '' : `${index + 1} `}(FROM ${statement.source ?? '?'})`;
  const fail = (message: string): never => {
    throw new ConfigException(KCQL_KEY, `${label} ${message}`);
  };
  const properties = clauses.properties ?? {};
  for (const key of Object.keys(properties)) {
    if (!KNOWN_PROPERTIES.includes(key))
      fail(
        `has PROPERTIES key '${key}', which the MQTT sink does not know (it knows ${KNOWN_PROPERTIES.join(', ')}).`,
      );
  }

  const converter = clauses.withConverter ?? null;
  if (converter !== null && !BYTES_CONVERTER.test(converter)) {
    fail(
      `uses WITHCONVERTER=\`${converter}\`, which the MQTT sink does not support. Bytes and text values are published ` +
        'unchanged and Structs/Maps as JSON; to forward Avro (or any) bytes as they are in Kafka, set ' +
        'value.converter=org.apache.kafka.connect.converters.ByteArrayConverter and SELECT *.',
    );
  }

  const selectsAll =
    statement.fields.length === 1 &&
    statement.fields[0]!.name === '*' &&
    statement.fields[0]!.type === 'VALUE' &&
    !statement.fields[0]!.parents &&
    statement.keyFields.length === 0 &&
    statement.headerFields.length === 0;
  const passThrough = selectsAll && statement.ignoredFields.length === 0 && !statement.retainStructure;
  if (converter !== null && !passThrough) {
    fail(
      `uses WITHCONVERTER=\`${converter}\`, which publishes the value unchanged, together with a select list, IGNORE or WITHSTRUCTURE: use SELECT * alone.`,
    );
  }

  return { statement, target: targetRule(statement, clauses, fail), passThrough };
}

function targetRule(
  statement: KcqlStatement,
  clauses: MqttClauses,
  fail: (message: string) => never,
): TargetRule {
  const target = statement.target ?? '';
  const flag = clauses.properties?.[TARGET_FROM_FIELD];
  if (flag !== undefined && !/^(true|false)$/i.test(flag.trim()))
    fail(`sets '${TARGET_FROM_FIELD}' to '${flag}'; use 'true' or 'false'.`);
  const fromField = flag !== undefined && flag.trim().toLowerCase() === 'true';
  const dynamic = clauses.dynamicTarget ?? null;

  if (dynamic !== null) {
    if (fromField)
      fail(`has both WITHTARGET and PROPERTIES('${TARGET_FROM_FIELD}'='true'); keep one of them.`);
    return fieldRule(fieldPath(dynamic, fail));
  }
  if (fromField) return fieldRule(fieldPath(target, fail));
  if (target === '_key') return { kind: 'key' };
  if (target === '_topic') return { kind: 'kafka-topic' };
  if (target.startsWith('$')) {
    fail(
      `targets '${target}': a target naming a field needs WITHTARGET = <field> (Stream Reactor ≤ 8) or ` +
        `PROPERTIES('${TARGET_FROM_FIELD}'='true') with INSERT INTO <field.path> (≥ 9).`,
    );
  }
  const problem = topicNameProblem(target);
  if (problem) fail(`targets '${target}', which is not an MQTT topic a client may publish to: ${problem}.`);
  return { kind: 'static', topic: target };
}

function fieldRule(path: string[]): TargetRule {
  return { kind: 'field', path, selection: fieldSelection(path) };
}

function fieldPath(text: string, fail: (message: string) => never): string[] {
  const path = text.replace(/^_value\./, '').split('.');
  if (path.some((p) => p === ''))
    fail(`names the target field '${text}', which is not a field path like a.b.c.`);
  return path;
}
