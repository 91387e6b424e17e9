import { ConfigException, DataException } from '../../errors.js';

/**
 * Chooses the registry subject a key or value schema is registered under (Confluent's
 * `key.subject.name.strategy` / `value.subject.name.strategy`). `recordName` is the full name of
 * the Avro schema when it is a named type (record, enum, fixed), otherwise null.
 */
export type SubjectNameStrategy = (topic: string, isKey: boolean, recordName: string | null) => string;

const PACKAGE = 'io.confluent.kafka.serializers.subject.';

/** `<topic>-key` / `<topic>-value`: one schema lineage per topic (the default). */
export const topicNameStrategy: SubjectNameStrategy = (topic, isKey) => `${topic}-${isKey ? 'key' : 'value'}`;

/** The record's full name: one lineage per record type, shared by every topic carrying it. */
export const recordNameStrategy: SubjectNameStrategy = (topic, isKey, recordName) =>
  requireRecordName('RecordNameStrategy', recordName);

/** `<topic>-<record full name>`: several record types per topic, each with its own lineage. */
export const topicRecordNameStrategy: SubjectNameStrategy = (topic, isKey, recordName) =>
  `${topic}-${requireRecordName('TopicRecordNameStrategy', recordName)}`;

const STRATEGIES: Record<string, SubjectNameStrategy> = {
  TopicNameStrategy: topicNameStrategy,
  RecordNameStrategy: recordNameStrategy,
  TopicRecordNameStrategy: topicRecordNameStrategy,
};

/** Resolves a strategy by Confluent class name or short name. */
export function subjectNameStrategy(configKey: string, name: string): SubjectNameStrategy {
  const short = name.startsWith(PACKAGE) ? name.slice(PACKAGE.length) : name;
  const strategy = STRATEGIES[short];
  if (!strategy) {
    throw new ConfigException(
      configKey,
      `unknown subject name strategy '${name}'; use one of ${Object.keys(STRATEGIES)
        .map((s) => PACKAGE + s)
        .join(', ')} (or the short name)`,
    );
  }
  return strategy;
}

function requireRecordName(strategy: string, recordName: string | null): string {
  if (recordName === null) {
    throw new DataException(
      `${strategy} needs a named Avro schema (record, enum or fixed), but this schema has no name: ` +
        'use TopicNameStrategy for primitive, array and map schemas',
    );
  }
  return recordName;
}
