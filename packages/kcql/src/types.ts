// The parsed-object model of a KCQL statement (classic Stream Reactor dialect). Property names mirror
// the Java getters of `com.datamountaineer.kcql.Kcql` (see spec/kcql.md §1.1). Every value is plain
// JSON: no classes, Maps, BigInts or undefined, so a result can be logged, sent over REST or compared.

export type WriteMode = 'INSERT' | 'UPSERT' | 'UPDATE';

/** Where a selected field comes from: the record value, its key, or record metadata. */
export type FieldType = 'VALUE' | 'KEY' | 'TOPIC' | 'PARTITION' | 'OFFSET' | 'TIMESTAMP';

export interface Field {
  /** Last path segment, or `"*"`. */
  name: string;
  /** The `AS` name (raw: a quoted alias keeps its quotes), otherwise the same as `name`. */
  alias: string;
  type: FieldType;
  /** Path segments before `name`, or `null` (never `[]`) when there are none. */
  parents: string[] | null;
}

export type TagType = 'DEFAULT' | 'ALIAS' | 'CONSTANT';

export interface Tag {
  key: string;
  /** `null` for a bare tag (`WITHTAG (host)`). */
  value: string | null;
  type: TagType;
}

export interface Bucketing {
  bucketNames: string[];
  bucketsNumber: number;
}

export interface PartitionOffset {
  partition: number;
  /** `null` when only the partition was given: `WITHOFFSET (3)`. */
  offset: number | null;
}

export type TimestampUnit =
  'NANOSECONDS' | 'MICROSECONDS' | 'MILLISECONDS' | 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS';
export type FormatType = 'AVRO' | 'PROTOBUF' | 'TEXT' | 'BINARY' | 'JSON' | 'OBJECT' | 'MAP';
export type CompressionType = 'SNAPPY' | 'GZIP' | 'LZ4' | 'ZLIB' | 'BZIP2' | 'LZO';
export type SchemaEvolution = 'MATCH' | 'IGNORE' | 'ADD';
export type PartitioningStrategy = 'STRICT' | 'DYNAMIC';

/**
 * One parsed KCQL statement. Integers that Java holds as `long` (`ttl`, `withFlush*`, `withLockTime`,
 * partition offsets) are JS numbers: values above 2^53 − 1 are accepted but lose precision.
 */
export interface Kcql {
  source: string | null;
  /** `null` for a SELECT-only statement. */
  target: string | null;
  writeMode: WriteMode | null;
  fields: Field[];
  keyFields: Field[];
  headerFields: Field[];
  ignoredFields: Field[];
  primaryKeys: Field[];
  autoCreate: boolean;
  autoEvolve: boolean;
  batchSize: number;
  limit: number;
  partitionBy: string[];
  bucketing: Bucketing | null;
  timestamp: string | null;
  timestampUnit: TimestampUnit;
  storedAs: string | null;
  storedAsParameters: Record<string, string>;
  formatType: FormatType | null;
  unwrapping: boolean;
  retainStructure: boolean;
  tags: Tag[] | null;
  withConverter: string | null;
  withType: string | null;
  withJmsSelector: string | null;
  /** The `WITHTARGET = …` value. */
  dynamicTarget: string | null;
  pipeline: string | null;
  withRegex: string | null;
  withSubscription: string | null;
  withPartitioner: string | null;
  docType: string | null;
  indexSuffix: string | null;
  incrementalMode: string | null;
  withKeys: string[] | null;
  keyDelimiter: string;
  ttl: number;
  properties: Record<string, string>;
  enableCapitalize: boolean;
  initialize: boolean;
  projectTo: number | null;
  consumerGroup: string | null;
  partitionOffsets: PartitionOffset[] | null;
  sampleCount: number | null;
  sampleRate: number | null;
  withCompression: CompressionType | null;
  withDelay: number;
  withFlushInterval: number;
  withFlushSize: number;
  withFlushCount: number;
  withSchemaEvolution: SchemaEvolution;
  withTableLocation: string | null;
  withOverwrite: boolean;
  withPartitioningStrategy: PartitioningStrategy | null;
  withSession: string | null;
  withAck: boolean;
  withEncodeBase64: boolean;
  withLockTime: number;
}

/** A fresh object holding the value every property has when its clause is absent. */
export function defaultKcql(): Kcql {
  return {
    source: null,
    target: null,
    writeMode: null,
    fields: [],
    keyFields: [],
    headerFields: [],
    ignoredFields: [],
    primaryKeys: [],
    autoCreate: false,
    autoEvolve: false,
    batchSize: 0,
    limit: 0,
    partitionBy: [],
    bucketing: null,
    timestamp: null,
    timestampUnit: 'MILLISECONDS',
    storedAs: null,
    storedAsParameters: {},
    formatType: null,
    unwrapping: false,
    retainStructure: false,
    tags: null,
    withConverter: null,
    withType: null,
    withJmsSelector: null,
    dynamicTarget: null,
    pipeline: null,
    withRegex: null,
    withSubscription: null,
    withPartitioner: null,
    docType: null,
    indexSuffix: null,
    incrementalMode: null,
    withKeys: null,
    keyDelimiter: '.',
    ttl: 0,
    properties: {},
    enableCapitalize: false,
    initialize: false,
    projectTo: null,
    consumerGroup: null,
    partitionOffsets: null,
    sampleCount: null,
    sampleRate: null,
    withCompression: null,
    withDelay: 0,
    withFlushInterval: 0,
    withFlushSize: 0,
    withFlushCount: 0,
    withSchemaEvolution: 'MATCH',
    withTableLocation: null,
    withOverwrite: false,
    withPartitioningStrategy: null,
    withSession: null,
    withAck: false,
    withEncodeBase64: false,
    withLockTime: -1,
  };
}
