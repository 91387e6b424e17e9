import { ConfigException, type KcqlStatement } from '@sluice/core/sink';
import { KCQL_KEY, type JmsSettings } from './config.js';
import { persistentHeader, stompHeaderFor } from './static-headers.js';

// A KCQL statement compiled into what the sink does with each record of its topic:
//   INSERT INTO <destination> SELECT … FROM <topic> WITHTYPE QUEUE|TOPIC [WITHFORMAT JSON|TEXT|AVRO|BINARY|MAP]
// WITHTYPE is required, as in Stream Reactor. OBJECT (a Java-serialized object) and PROTOBUF cannot be
// made honestly from Node and are refused, as are Java converter classes (WITHCONVERTER, STOREAS).

export const FORMATS = ['JSON', 'TEXT', 'AVRO', 'BINARY', 'MAP'] as const;
export type JmsFormat = (typeof FORMATS)[number];

export interface JmsRoute {
  readonly statement: KcqlStatement;
  readonly kind: 'QUEUE' | 'TOPIC';
  /** The JMS destination name (the KCQL target). */
  readonly name: string;
  /** `/queue/<name>` or `/topic/<name>`: the STOMP destination. */
  readonly destination: string;
  readonly format: JmsFormat;
  /** `SELECT *` alone: JSON and MAP carry the whole value, AVRO the value's own schema. */
  readonly selectsAll: boolean;
  /** Frame headers from connect.jms.headers for this destination (applied last). */
  readonly staticHeaders: readonly (readonly [string, string])[];
}

export function compileRoute(
  statement: KcqlStatement,
  settings: Pick<JmsSettings, 'staticHeaders'>,
): JmsRoute {
  const fail = (message: string): never => {
    throw new ConfigException(KCQL_KEY, `KCQL statement FROM ${statement.source ?? '?'}: ${message}`);
  };
  const name = statement.target ?? '';
  const withType = (statement.withType ?? '').toUpperCase();
  if (withType === '') {
    fail(`WITHTYPE not set for kcql INSERT INTO ${name}. Provide WITHTYPE=TOPIC or WITHTYPE=QUEUE.`);
  }
  if (withType !== 'QUEUE' && withType !== 'TOPIC') fail(`WITHTYPE ${withType} is not QUEUE or TOPIC.`);
  const kind = withType as 'QUEUE' | 'TOPIC';

  const format = (statement.formatType ?? 'JSON').toUpperCase();
  if (format === 'OBJECT') {
    fail(
      'WITHFORMAT OBJECT asks for a Java-serialized ObjectMessage, which cannot be made honestly from Node. ' +
        'Use WITHFORMAT MAP (a MapMessage of the fields) or JSON (a TextMessage).',
    );
  }
  if (format === 'PROTOBUF') {
    fail('WITHFORMAT PROTOBUF is not supported by the STOMP sink; use AVRO, JSON, MAP, TEXT or BINARY.');
  }
  if (!(FORMATS as readonly string[]).includes(format))
    fail(`WITHFORMAT ${format} is not one of ${FORMATS.join(', ')}.`);

  const selectsAll =
    statement.fields.length === 1 &&
    statement.fields[0]!.name === '*' &&
    statement.fields[0]!.type === 'VALUE' &&
    !statement.fields[0]!.parents &&
    statement.keyFields.length === 0 &&
    statement.headerFields.length === 0 &&
    statement.ignoredFields.length === 0 &&
    !statement.retainStructure;
  if ((format === 'TEXT' || format === 'BINARY') && !selectsAll) {
    fail(
      `WITHFORMAT ${format} sends the value as it is; use SELECT * without IGNORE (or WITHFORMAT JSON to select fields).`,
    );
  }
  if (format === 'AVRO' && !selectsAll) checkAvroProjection(statement, fail);

  const staticHeaders = [...(settings.staticHeaders.get(name) ?? new Map<string, string>())].map(
    ([key, value]): [string, string] =>
      key === 'JMSDeliveryMode' ? ['persistent', persistentHeader(value)] : [stompHeaderFor(key), value],
  );
  return {
    statement,
    kind,
    name,
    destination: `/${kind.toLowerCase()}/${name}`,
    format: format as JmsFormat,
    selectsAll,
    staticHeaders,
  };
}

/** AVRO writes a record of the selected top-level fields (with their aliases), as the reference did. */
function checkAvroProjection(statement: KcqlStatement, fail: (message: string) => never): void {
  const nested = statement.fields.filter((f) => f.type !== 'VALUE' || (f.parents?.length ?? 0) > 0);
  const ignoredNested = statement.ignoredFields.filter((f) => (f.parents?.length ?? 0) > 0);
  if (
    nested.length > 0 ||
    ignoredNested.length > 0 ||
    statement.keyFields.length > 0 ||
    statement.headerFields.length > 0 ||
    statement.retainStructure
  ) {
    fail(
      'WITHFORMAT AVRO selects top-level fields of the value only (SELECT *, SELECT a, b AS c, IGNORE d).',
    );
  }
}
