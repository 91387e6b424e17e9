// The optional clauses that follow `FROM <source>`, one parser per clause, in the fixed order the
// classic grammar allows them (spec/kcql.md §3.1, §3.3, §5). Each clause may appear once.
import type { TokenCursor } from './cursor.js';
import { fieldFromPath, type ColumnPath } from './fields.js';
import type { Keyword } from './keywords.js';
import type { Token } from './lexer.js';
import type {
  CompressionType,
  FormatType,
  Kcql,
  PartitioningStrategy,
  SchemaEvolution,
  Tag,
  TimestampUnit,
} from './types.js';
import { INT_MAX, LONG_MAX, integerInRange, unescape, unquote } from './values.js';

export interface ClauseContext {
  cursor: TokenCursor;
  kcql: Kcql;
  /** The last `INTO n BUCKETS` count: the reference checks only the final one, after parsing. */
  bucketCount?: Token;
}

export interface Clause {
  keyword: Keyword;
  parse(context: ClauseContext, keyword: Token): void;
}

const flag =
  (set: (kcql: Kcql) => void): Clause['parse'] =>
  ({ kcql }) =>
    set(kcql);

const TIME_UNITS: TimestampUnit[] = [
  'NANOSECONDS',
  'MICROSECONDS',
  'MILLISECONDS',
  'SECONDS',
  'MINUTES',
  'HOURS',
  'DAYS',
];
const COMPRESSIONS: CompressionType[] = ['SNAPPY', 'GZIP', 'LZ4', 'ZLIB', 'BZIP2', 'LZO'];
const SCHEMA_EVOLUTIONS: SchemaEvolution[] = ['MATCH', 'IGNORE', 'ADD'];
const PARTITIONING_STRATEGIES: PartitioningStrategy[] = ['STRICT', 'DYNAMIC'];

// ---- value readers ------------------------------------------------------------------------------

/** `= INT` checked against `min … max`; `message(text)` explains a value out of range. */
function numberAfterEquals(
  context: ClauseContext,
  keyword: Token,
  max: bigint,
  message: (text: string) => string,
  min = 1n,
): number {
  context.cursor.expectEquals(keyword);
  return wholeNumber(context, `${keyword.text} value`, max, message, min);
}

function wholeNumber(
  { cursor }: ClauseContext,
  what: string,
  max: bigint,
  message: (text: string) => string,
  min = 1n,
): number {
  const token = cursor.readSingle(['int'], `a whole number as the ${what}`);
  return integerInRange(token.text, min, max) ?? cursor.fail(message(token.text), token);
}

/** Java's NumberFormatException text, which the reference reports for these overflows. */
const javaOverflow = (text: string): string => `For input string: "${text}"`;

function enumAfterEquals<T extends string>(
  { cursor }: ClauseContext,
  keyword: Token,
  allowed: readonly T[],
  message: (upper: string) => string,
): T {
  cursor.expectEquals(keyword);
  const token = cursor.readSingle(['field'], `a ${keyword.text} value (${allowed.join(', ')})`);
  const upper = token.text.toUpperCase();
  if (!(allowed as readonly string[]).includes(upper)) cursor.fail(message(upper), token);
  return upper as T;
}

/** A column of PK or PARTITIONBY: dotted path, no alias. */
function readKeyColumn(cursor: TokenCursor, what: string): { path: ColumnPath; at: Token; text: string } {
  const at = cursor.peek();
  if (at.kind === '*') cursor.fail(`expected ${what}, found '*': only a nested path may end with '.*'`);
  const path = cursor.readColumnPath(what);
  return { path, at, text: [...path.segments, ...(path.star ? ['*'] : [])].join('.') };
}

// ---- clause parsers -----------------------------------------------------------------------------

const primaryKeys: Clause['parse'] = ({ cursor, kcql }) => {
  do {
    if (cursor.at('string')) {
      cursor.fail(
        'a quoted PK column is not supported (the reference parser crashes on it): write the name bare',
      );
    }
    const { path, at } = readKeyColumn(cursor, 'a PK column');
    const field = cursor.applyFieldRule(at, () => fieldFromPath(path, null));
    kcql.primaryKeys.push(field);
  } while (cursor.accept(','));
};

const partitionBy: Clause['parse'] = ({ cursor, kcql }) => {
  do {
    const at = cursor.peek();
    const text = cursor.at('string')
      ? cursor.next().text
      : readKeyColumn(cursor, 'a PARTITIONBY column').text;
    if (kcql.partitionBy.some((existing) => existing.toLowerCase() === text.toLowerCase())) {
      cursor.fail(`The field ${text} appears twice in PARTITIONBY`, at);
    }
    kcql.partitionBy.push(text);
  } while (cursor.accept(','));
};

/** DISTRIBUTEBY / CLUSTERBY: both append to one bucketing; the last count given wins. */
const bucketing: Clause['parse'] = (context, keyword) => {
  const { cursor, kcql } = context;
  const names: string[] = [];
  do names.push(cursor.readSingle(['field'], `a ${keyword.text} column`).text);
  while (cursor.accept(','));
  cursor.expectKeyword('INTO', `after the ${keyword.text} columns (… INTO <n> BUCKETS)`);
  const countToken = cursor.peek();
  const count = wholeNumber(context, 'bucket count', INT_MAX, javaOverflow, 0n);
  cursor.expectKeyword('BUCKETS', `after the bucket count`);
  kcql.bucketing = { bucketNames: [...(kcql.bucketing?.bucketNames ?? []), ...names], bucketsNumber: count };
  context.bucketCount = countToken;
};

const storeAs: Clause['parse'] = ({ cursor, kcql }) => {
  if (cursor.at('format')) {
    cursor.fail(
      `'${cursor.peek().text}' is a reserved word in KCQL: write STOREAS \`${cursor.peek().text}\` in back-ticks`,
    );
  }
  kcql.storedAs = cursor.readFieldOrTopicRun('STOREAS type');
  const seen = new Set<string>();
  const parameters = new Map<string, string>();
  while (cursor.accept('(')) {
    do {
      const at = cursor.peek();
      const key = cursor.readFieldOrTopicRun('STOREAS parameter name');
      cursor.expect(['='], `'=' after the STOREAS parameter '${key}'`);
      const value = cursor.readFieldOrTopicRun(`value of the STOREAS parameter '${key}'`, ['int']);
      if (seen.has(key.toLowerCase()))
        cursor.fail(`${key} is a duplicated entry in the storeAs parameters list`, at);
      seen.add(key.toLowerCase());
      parameters.set(key, value);
    } while (cursor.accept(','));
    cursor.expect([')'], "',' or ')' in the STOREAS parameters");
  }
  kcql.storedAsParameters = Object.fromEntries(parameters);
};

const withTag: Clause['parse'] = ({ cursor, kcql }) => {
  cursor.expect(['('], "'(' after WITHTAG");
  const tags: Tag[] = [];
  do tags.push(readTag(cursor));
  while (cursor.accept(','));
  cursor.expect([')'], "',' or ')' in the WITHTAG list");
  kcql.tags = tags;
};

function readTag(cursor: TokenCursor): Tag {
  const at = cursor.peek();
  const key = cursor.readDottedRun('tag name');
  if (key.endsWith('.')) cursor.fail("Invalid syntax for tags. Field selection can not end with '.'", at);
  const operator = cursor.accept('=') ?? cursor.acceptKeyword('AS');
  if (!operator) return { key, value: null, type: 'DEFAULT' };
  const value = cursor.readFieldOrTopicRun(`value of the tag '${key}'`, ['int']);
  // The reference tells '=' from AS by deleting every occurrence of the key from the clause text, so a
  // key that also occurs in the AS keyword (`a as x`, `A AS x`) cannot be read. Reproduced, not fixed.
  const rest = (key + operator.text + value).split(key).join('');
  if (rest.startsWith('=')) return { key, value, type: 'CONSTANT' };
  if (rest.startsWith('as') || rest.startsWith('AS')) return { key, value, type: 'ALIAS' };
  return cursor.fail(
    "Invalid syntax for tags. Needs to be 'tag1 [as x]' or 'tag1' or 'tag1 = constant' " +
      `(the reference parser cannot read '${key} ${operator.text} ${value}' because '${key}' also occurs in '${operator.text}')`,
    at,
  );
}

/** `KEYWORD = value` clauses that store one token's text, raw or unescaped (spec/kcql.md §5.16). */
function assignment(
  accepted: ('field' | 'topicname' | 'int')[],
  store: (kcql: Kcql, text: string) => void,
  hint = '',
): Clause['parse'] {
  return ({ cursor, kcql }, keyword) => {
    cursor.expectEquals(keyword);
    store(kcql, cursor.readSingle(accepted, `a ${keyword.text} value${hint}`).text);
  };
}

const BACKTICK_HINT = ' in back-ticks, e.g. `com.example.Value`';

const withKey: Clause['parse'] = ({ cursor, kcql }) => {
  cursor.expect(['('], "'(' after WITHKEY");
  const keys: string[] = [];
  do keys.push(unescape(cursor.readSingle(['field', 'topicname', 'int'], 'a WITHKEY column').text));
  while (cursor.accept(','));
  cursor.expect([')'], "',' or ')' in the WITHKEY list");
  kcql.withKeys = keys;
};

const keyDelimiter: Clause['parse'] = ({ cursor, kcql }, keyword) => {
  cursor.expectEquals(keyword);
  const token = cursor.readSingle(
    ['keydelim'],
    "a one-character KEYDELIMITER in single quotes, e.g. '-' ('.', ',' and ' ' cannot be written)",
  );
  const delimiter = token.text.replace(/['`]/g, '');
  if (delimiter === '') cursor.fail('Invalid key delimiter. Needs to be a non empty string.', token);
  kcql.keyDelimiter = delimiter;
};

const pipeline: Clause['parse'] = ({ cursor, kcql }, keyword) => {
  cursor.expectEquals(keyword);
  const kinds = ['field', 'topicname', '.', 'int'] as const;
  kcql.pipeline = unescape(cursor.readRun('WITHPIPELINE value', [...kinds], [...kinds]));
};

const properties: Clause['parse'] = ({ cursor, kcql }) => {
  cursor.expect(['('], "'(' after PROPERTIES");
  const entries = new Map<string, string>();
  if (!cursor.accept(')')) {
    do {
      const key = cursor.readFieldOrTopicRun('property name', ['string']);
      cursor.expect(['='], `'=' after the property '${unescape(key)}'`);
      const value = cursor.readFieldOrTopicRun(`value of the property '${unescape(key)}'`, ['int', 'string']);
      entries.set(unescape(key), unquote(unescape(value)));
    } while (cursor.accept(','));
    cursor.expect([')'], "',' or ')' in the PROPERTIES list");
  }
  kcql.properties = Object.fromEntries(entries);
};

const withOffset: Clause['parse'] = (context) => {
  const { cursor } = context;
  const offsets: NonNullable<Kcql['partitionOffsets']> = [];
  do {
    cursor.expect(['('], "'(' to start a WITHOFFSET (partition[, offset]) pair");
    const partition = wholeNumber(context, 'WITHOFFSET partition', INT_MAX, javaOverflow, 0n);
    const offset = cursor.accept(',')
      ? wholeNumber(context, 'WITHOFFSET offset', LONG_MAX, javaOverflow, 0n)
      : null;
    cursor.expect([')'], "')' to close the WITHOFFSET pair");
    offsets.push({ partition, offset });
  } while (cursor.accept(','));
  context.kcql.partitionOffsets = offsets;
};

const sample: Clause['parse'] = (context) => {
  const { cursor, kcql } = context;
  const countToken = cursor.peek();
  const count = wholeNumber(context, 'SAMPLE count', INT_MAX, javaOverflow, 0n);
  cursor.expectKeyword('EVERY', 'after the SAMPLE count (SAMPLE <count> EVERY <rate>)');
  const rateToken = cursor.peek();
  const rate = wholeNumber(context, 'SAMPLE rate', INT_MAX, javaOverflow, 0n);
  if (count === 0) cursor.fail('Sample count needs to be a positive number greater than zero', countToken);
  if (rate === 0) cursor.fail('Sample rate should be a positive number greater than zero', rateToken);
  kcql.sampleCount = count;
  kcql.sampleRate = rate;
};

const flushValue = (name: string) => (): string =>
  `Invalid value specified for ${name}. Expecting a LONG number greater than 0.`;

// ---- the tables ---------------------------------------------------------------------------------

const PK: Clause = { keyword: 'PK', parse: primaryKeys };
const WITHSTRUCTURE: Clause = { keyword: 'WITHSTRUCTURE', parse: flag((k) => (k.retainStructure = true)) };
const WITHTYPE: Clause = {
  keyword: 'WITHTYPE',
  parse: ({ cursor, kcql }) => {
    kcql.withType = cursor.readSingle(['field'], 'a WITHTYPE value (e.g. QUEUE or TOPIC)').text;
  },
};

const WITHFORMAT: Clause = {
  keyword: 'WITHFORMAT',
  parse: ({ cursor, kcql }) => {
    const token = cursor.readSingle(
      ['format'],
      'a format: AVRO, JSON, TEXT, BINARY, OBJECT, MAP or PROTOBUF',
    );
    kcql.formatType = token.value as FormatType;
  },
};
const WITHUNWRAP: Clause = { keyword: 'WITHUNWRAP', parse: flag((k) => (k.unwrapping = true)) };
const LIMIT: Clause = {
  keyword: 'LIMIT',
  parse: (context) => {
    const { cursor, kcql } = context;
    const token = cursor.readSingle(['int'], 'a whole number after LIMIT');
    const value =
      integerInRange(token.text, 0n, INT_MAX) ??
      cursor.fail(`Invalid limit specified(${token.text}). Needs to be an integer greater than zero`, token);
    if (value === 0) cursor.fail('Invalid limit specified. Needs to be an integer greater than zero', token);
    kcql.limit = value;
  },
};
const STOREAS: Clause = { keyword: 'STOREAS', parse: storeAs };
const WITHTAG: Clause = { keyword: 'WITHTAG', parse: withTag };
const INCREMENTALMODE: Clause = {
  keyword: 'INCREMENTALMODE',
  parse: assignment(['field', 'topicname'], (k, v) => (k.incrementalMode = v)),
};
const WITHDOCTYPE: Clause = {
  keyword: 'WITHDOCTYPE',
  parse: assignment(['field', 'topicname', 'int'], (k, v) => (k.docType = unescape(v))),
};
const WITHINDEXSUFFIX: Clause = {
  keyword: 'WITHINDEXSUFFIX',
  parse: assignment(['field', 'topicname', 'int'], (k, v) => (k.indexSuffix = unescape(v))),
};
const WITHCONVERTER: Clause = {
  keyword: 'WITHCONVERTER',
  parse: assignment(['topicname'], (k, v) => (k.withConverter = unescape(v)), BACKTICK_HINT),
};
const KEYDELIMITER: Clause = { keyword: 'KEYDELIMITER', parse: keyDelimiter };
const TTL: Clause = {
  keyword: 'TTL',
  parse: (context, keyword) => {
    context.kcql.ttl = numberAfterEquals(
      context,
      keyword,
      LONG_MAX,
      (v) => `${v} is not a valid number for a TTL.`,
    );
  },
};
const WITH_SESSION: Clause = {
  keyword: 'WITH_SESSION',
  parse: assignment(['field'], (k, v) => (k.withSession = v)),
};

/** Clauses of `INSERT|UPSERT|UPDATE INTO … SELECT … FROM …`, in the only order they are accepted. */
export const INSERT_CLAUSES: readonly Clause[] = [
  { keyword: 'AUTOCREATE', parse: flag((k) => (k.autoCreate = true)) },
  WITHSTRUCTURE,
  PK,
  {
    keyword: 'WITHTARGET',
    parse: ({ cursor, kcql }, keyword) => {
      cursor.expectEquals(keyword);
      kcql.dynamicTarget = cursor.readDottedRun('WITHTARGET value');
    },
  },
  { keyword: 'AUTOEVOLVE', parse: flag((k) => (k.autoEvolve = true)) },
  {
    keyword: 'BATCH',
    parse: (context, keyword) => {
      const message = (v: string): string => `${v} is not a valid number for a batch Size.`;
      context.kcql.batchSize = numberAfterEquals(context, keyword, INT_MAX, message);
    },
  },
  { keyword: 'CAPITALIZE', parse: flag((k) => (k.enableCapitalize = true)) },
  { keyword: 'INITIALIZE', parse: flag((k) => (k.initialize = true)) },
  {
    keyword: 'PROJECTTO',
    parse: (context) => {
      const message = (v: string): string => `${v} is not a valid number for a version.`;
      context.kcql.projectTo = wholeNumber(context, 'PROJECTTO version', INT_MAX, message);
    },
  },
  { keyword: 'PARTITIONBY', parse: partitionBy },
  { keyword: 'DISTRIBUTEBY', parse: bucketing },
  { keyword: 'CLUSTERBY', parse: bucketing },
  {
    keyword: 'WITHTIMESTAMP',
    parse: ({ cursor, kcql }) => {
      const token = cursor.readSingle(['field', 'systime'], 'a timestamp field name or sys_time()');
      kcql.timestamp = token.kind === 'systime' ? 'sys_time()' : token.text;
    },
  },
  {
    keyword: 'TIMESTAMPUNIT',
    parse: (context, keyword) => {
      const message = (): string => `Invalid 'TIMESTAMPUNIT'. Available values are : ${TIME_UNITS.join(',')}`;
      context.kcql.timestampUnit = enumAfterEquals(context, keyword, TIME_UNITS, message);
    },
  },
  // WITHTYPE is also accepted just before WITHFORMAT: Stream Reactor's JMS documentation writes
  // `WITHTYPE QUEUE WITHFORMAT JSON` as well as `WITHFORMAT JSON WITHTYPE TOPIC` (its parser silently
  // dropped the WITHFORMAT of the first). Either order is honoured; the parser refuses it twice.
  WITHTYPE,
  WITHFORMAT,
  WITHUNWRAP,
  STOREAS,
  WITHTAG,
  INCREMENTALMODE,
  WITHTYPE,
  WITHDOCTYPE,
  WITHINDEXSUFFIX,
  TTL,
  WITHCONVERTER,
  {
    keyword: 'WITHJMSSELECTOR',
    parse: assignment(
      ['topicname'],
      (k, v) => (k.withJmsSelector = unescape(v)),
      ' in back-ticks, e.g. `price > 10`',
    ),
  },
  { keyword: 'WITHKEY', parse: withKey },
  KEYDELIMITER,
  { keyword: 'WITHPIPELINE', parse: pipeline },
  { keyword: 'WITHPARTITIONER', parse: assignment(['field'], (k, v) => (k.withPartitioner = v)) },
  { keyword: 'WITHSUBSCRIPTION', parse: assignment(['field'], (k, v) => (k.withSubscription = v)) },
  {
    keyword: 'WITHCOMPRESSION',
    parse: (context, keyword) => {
      const message = (v: string): string => `No enum constant com.datamountaineer.kcql.CompressionType.${v}`;
      context.kcql.withCompression = enumAfterEquals(context, keyword, COMPRESSIONS, message);
    },
  },
  {
    keyword: 'WITHDELAY',
    parse: (context, keyword) => {
      context.kcql.withDelay = numberAfterEquals(context, keyword, INT_MAX, javaOverflow, 0n);
    },
  },
  {
    keyword: 'WITHREGEX',
    parse: assignment(
      ['topicname'],
      (k, v) => (k.withRegex = unescape(v)),
      ' in back-ticks, e.g. `orders-.*`',
    ),
  },
  {
    keyword: 'WITH_FLUSH_SIZE',
    parse: (c, kw) =>
      (c.kcql.withFlushSize = numberAfterEquals(c, kw, LONG_MAX, flushValue('WITH_FLUSH_SIZE'))),
  },
  {
    keyword: 'WITH_FLUSH_INTERVAL',
    parse: (c, kw) =>
      (c.kcql.withFlushInterval = numberAfterEquals(c, kw, LONG_MAX, flushValue('WITH_FLUSH_INTERVAL'))),
  },
  {
    keyword: 'WITH_FLUSH_COUNT',
    parse: (c, kw) =>
      (c.kcql.withFlushCount = numberAfterEquals(c, kw, LONG_MAX, flushValue('WITH_FLUSH_COUNT'))),
  },
  {
    keyword: 'WITH_SCHEMA_EVOLUTION',
    parse: (context, keyword) => {
      const message = (): string =>
        'Invalid value specified for WITH_SCHEMA_EVOLUTION. Expecting one of the values:MATCH,IGNORE,ADD';
      context.kcql.withSchemaEvolution = enumAfterEquals(context, keyword, SCHEMA_EVOLUTIONS, message);
    },
  },
  {
    keyword: 'WITH_TABLE_LOCATION',
    parse: assignment(
      ['topicname'],
      (k, v) => (k.withTableLocation = unescape(v)),
      ' in back-ticks, e.g. `/data/x`',
    ),
  },
  { keyword: 'WITH_OVERWRITE', parse: flag((k) => (k.withOverwrite = true)) },
  {
    keyword: 'WITH_PARTITIONING',
    parse: (context, keyword) => {
      // The reference's message names WITH_SCHEMA_EVOLUTION here; Sluice names the right clause.
      const message = (): string =>
        'Invalid value specified for WITH_PARTITIONING. Expecting one of the values:STRICT,DYNAMIC';
      context.kcql.withPartitioningStrategy = enumAfterEquals(
        context,
        keyword,
        PARTITIONING_STRATEGIES,
        message,
      );
    },
  },
  LIMIT,
  WITH_SESSION,
  { keyword: 'WITH_ACK', parse: flag((k) => (k.withAck = true)) },
  { keyword: 'WITH_ENCODE_BASE64', parse: flag((k) => (k.withEncodeBase64 = true)) },
  {
    keyword: 'WITH_LOCK_TIME',
    parse: (context, keyword) => {
      const message = (v: string): string => `${v} is not a valid number for a WITH_LOCK_TIME.`;
      context.kcql.withLockTime = numberAfterEquals(context, keyword, LONG_MAX, message);
    },
  },
  { keyword: 'PROPERTIES', parse: properties },
];

/** Clauses of the SELECT-only form `SELECT … FROM …`, in the only order they are accepted. */
export const SELECT_CLAUSES: readonly Clause[] = [
  PK,
  WITHSTRUCTURE,
  WITHFORMAT,
  WITHUNWRAP,
  {
    keyword: 'WITHGROUP',
    parse: ({ cursor, kcql }) => {
      const token = cursor.readSingle(['int', 'field', 'topicname', 'string'], 'a consumer group name');
      kcql.consumerGroup = unescape(token.text);
    },
  },
  { keyword: 'WITHOFFSET', parse: withOffset },
  { keyword: 'SAMPLE', parse: sample },
  LIMIT,
  STOREAS,
  WITHTAG,
  INCREMENTALMODE,
  WITHDOCTYPE,
  WITHINDEXSUFFIX,
  WITHCONVERTER,
  KEYDELIMITER,
  TTL,
  WITH_SESSION,
];
