import { ConfigDef, validators, type ConfigValue } from '../config/def.js';
import { ConfigException } from '../errors.js';
import { KcqlRouter } from '../mapping/router.js';
import type { KcqlStatement } from '../mapping/statement.js';
import type { SinkTaskContext } from './api.js';
import { ERROR_POLICIES, ErrorPolicy, type ErrorPolicyKind } from './error-policy.js';
import { PROGRESS_ENABLED_CONFIG, ProgressCounter } from './progress.js';

// The keys every Stream Reactor sink shares, `connect.<x>.kcql|error.policy|max.retries|retry.interval`
// plus the global `connect.progress.enabled`, with the reference defaults (spec §1.2), and the check
// that a sink's KCQL uses only clauses the sink honours (user pain #569: clauses silently ignored).

const GROUP = 'Stream Reactor';

/** Adds the common keys for `prefix` (e.g. `connect.mongo`) to `def` and returns it. */
export function defineStreamReactorKeys(def: ConfigDef, prefix: string, kcqlDoc?: string): ConfigDef {
  return def
    .define({
      name: `${prefix}.kcql`,
      type: 'STRING',
      importance: 'HIGH',
      group: GROUP,
      validator: validators.nonEmptyString(),
      doc:
        kcqlDoc ??
        'KCQL statements that say which topic goes where and how records are mapped; several statements are separated by `;`.',
    })
    .define({
      name: `${prefix}.error.policy`,
      type: 'STRING',
      default: 'THROW',
      importance: 'HIGH',
      group: GROUP,
      validator: validators.oneOf([...ERROR_POLICIES]),
      recommendedValues: [...ERROR_POLICIES],
      doc:
        'What a failed write does. NOOP: log it and carry on (the batch is lost). THROW: fail the task. ' +
        `RETRY: redeliver the same records after ${prefix}.retry.interval ms, up to ${prefix}.max.retries times in a row.`,
    })
    .define({
      name: `${prefix}.max.retries`,
      type: 'INT',
      default: 20,
      importance: 'MEDIUM',
      group: GROUP,
      validator: validators.atLeast(-1),
      doc: 'How many failed writes in a row RETRY tolerates before the task fails; -1 for no limit.',
    })
    .define({
      name: `${prefix}.retry.interval`,
      type: 'INT',
      default: 60000,
      importance: 'MEDIUM',
      group: GROUP,
      validator: validators.atLeast(0),
      doc: 'Milliseconds to wait before redelivering a batch under the RETRY error policy.',
    })
    .define({
      name: PROGRESS_ENABLED_CONFIG,
      type: 'BOOLEAN',
      default: false,
      importance: 'LOW',
      group: GROUP,
      doc: 'Log, at most once a minute, how many records each topic has delivered since the task started.',
    });
}

export interface StreamReactorSettings {
  readonly kcqlKey: string;
  readonly errorPolicy: ErrorPolicyKind;
  readonly maxRetries: number;
  readonly retryIntervalMs: number;
  readonly progressEnabled: boolean;
}

/** Reads the common keys from values parsed by a ConfigDef that `defineStreamReactorKeys` extended. */
export function streamReactorSettings(
  parsed: Record<string, ConfigValue>,
  prefix: string,
): StreamReactorSettings {
  return {
    kcqlKey: `${prefix}.kcql`,
    errorPolicy: String(parsed[`${prefix}.error.policy`]).toUpperCase() as ErrorPolicyKind,
    maxRetries: parsed[`${prefix}.max.retries`] as number,
    retryIntervalMs: parsed[`${prefix}.retry.interval`] as number,
    progressEnabled: parsed[PROGRESS_ENABLED_CONFIG] as boolean,
  };
}

/** What SinkTask.start builds from the common keys. */
export interface StreamReactorTaskTools {
  /** Already applied to the task context (RETRY's back-off). */
  readonly errorPolicy: ErrorPolicy;
  /** Null unless connect.progress.enabled. */
  readonly progress: ProgressCounter | null;
}

/** For SinkTask.start: the error policy and the progress log that the common keys of `prefix` ask for. */
export function streamReactorTaskTools(
  parsed: Record<string, ConfigValue>,
  prefix: string,
  context: SinkTaskContext,
): StreamReactorTaskTools {
  const common = streamReactorSettings(parsed, prefix);
  const errorPolicy = ErrorPolicy.of(common.errorPolicy, {
    maxRetries: common.maxRetries,
    retryIntervalMs: common.retryIntervalMs,
    connectorName: context.connectorName,
    logger: context.logger,
  });
  errorPolicy.applyTo(context);
  return {
    errorPolicy,
    progress: common.progressEnabled ? new ProgressCounter({ logger: context.logger }) : null,
  };
}

/** The clear text of a PASSWORD key's parsed value ('' when unset). */
export function secretValue(value: ConfigValue | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' && 'value' in value ? value.value() : String(value);
}

/** KCQL clauses by their keyword, plus the special select-list roots. */
export type KcqlClause = (typeof CLAUSES)[number][0];

type Parsed = Record<string, unknown>;
const set = (v: unknown): boolean => v !== null && v !== undefined && v !== false;
const nonEmpty = (v: unknown): boolean => Array.isArray(v) && v.length > 0;
const positive = (v: unknown): boolean => (typeof v === 'bigint' ? v > 0n : Number(v) > 0);

const CLAUSES = [
  ['INSERT', (s: Parsed) => s.writeMode === 'INSERT'],
  ['UPSERT', (s: Parsed) => s.writeMode === 'UPSERT'],
  ['UPDATE', (s: Parsed) => s.writeMode === 'UPDATE'],
  ['IGNORE', (s: Parsed) => nonEmpty(s.ignoredFields)],
  ['PK', (s: Parsed) => nonEmpty(s.primaryKeys)],
  ['SELECT _key', (s: Parsed) => nonEmpty(s.keyFields) || hasFieldOfType(s, 'KEY')],
  ['SELECT _header', (s: Parsed) => nonEmpty(s.headerFields)],
  [
    'SELECT _.topic/partition/offset/timestamp',
    (s: Parsed) => ['TOPIC', 'PARTITION', 'OFFSET', 'TIMESTAMP'].some((t) => hasFieldOfType(s, t)),
  ],
  ['AUTOCREATE', (s: Parsed) => set(s.autoCreate)],
  ['AUTOEVOLVE', (s: Parsed) => set(s.autoEvolve)],
  ['WITHSTRUCTURE', (s: Parsed) => set(s.retainStructure)],
  ['WITHUNWRAP', (s: Parsed) => set(s.unwrapping)],
  ['BATCH', (s: Parsed) => positive(s.batchSize)],
  ['LIMIT', (s: Parsed) => positive(s.limit)],
  ['TTL', (s: Parsed) => positive(s.ttl)],
  ['PARTITIONBY', (s: Parsed) => nonEmpty(s.partitionBy)],
  ['NOPARTITION', (s: Parsed) => set(s.noPartition)],
  ['DISTRIBUTEBY', (s: Parsed) => set(s.bucketing)],
  ['WITHTIMESTAMP', (s: Parsed) => set(s.timestamp)],
  ['TIMESTAMPUNIT', (s: Parsed) => s.timestampUnit !== undefined && s.timestampUnit !== 'MILLISECONDS'],
  ['STOREAS', (s: Parsed) => set(s.storedAs)],
  ['WITHFORMAT', (s: Parsed) => set(s.formatType)],
  ['WITHTAG', (s: Parsed) => set(s.tags)],
  ['WITHCONVERTER', (s: Parsed) => set(s.withConverter)],
  ['WITHTYPE', (s: Parsed) => set(s.withType)],
  ['WITHJMSSELECTOR', (s: Parsed) => set(s.withJmsSelector)],
  ['WITHTARGET', (s: Parsed) => set(s.dynamicTarget)],
  ['WITHPIPELINE', (s: Parsed) => set(s.pipeline)],
  ['WITHREGEX', (s: Parsed) => set(s.withRegex)],
  ['WITHSUBSCRIPTION', (s: Parsed) => set(s.withSubscription)],
  ['WITHPARTITIONER', (s: Parsed) => set(s.withPartitioner)],
  ['WITHDOCTYPE', (s: Parsed) => set(s.docType)],
  ['WITHINDEXSUFFIX', (s: Parsed) => set(s.indexSuffix)],
  ['INCREMENTALMODE', (s: Parsed) => set(s.incrementalMode)],
  ['WITHKEY', (s: Parsed) => set(s.withKeys)],
  ['KEYDELIMITER', (s: Parsed) => s.keyDelimiter !== undefined && s.keyDelimiter !== '.'],
  [
    'PROPERTIES',
    (s: Parsed) =>
      typeof s.properties === 'object' && s.properties !== null && Object.keys(s.properties).length > 0,
  ],
  ['CAPITALIZE', (s: Parsed) => set(s.enableCapitalize)],
  ['INITIALIZE', (s: Parsed) => set(s.initialize)],
  ['PROJECTTO', (s: Parsed) => set(s.projectTo)],
  ['WITHGROUP', (s: Parsed) => set(s.consumerGroup)],
  ['WITHOFFSET', (s: Parsed) => set(s.partitionOffsets)],
  ['SAMPLE', (s: Parsed) => set(s.sampleCount) || set(s.sampleRate)],
  ['WITHCOMPRESSION', (s: Parsed) => set(s.withCompression)],
  ['WITHDELAY', (s: Parsed) => positive(s.withDelay)],
  [
    'WITH_FLUSH',
    (s: Parsed) => positive(s.withFlushInterval) || positive(s.withFlushSize) || positive(s.withFlushCount),
  ],
  [
    'WITH_SCHEMA_EVOLUTION',
    (s: Parsed) => s.withSchemaEvolution !== undefined && s.withSchemaEvolution !== 'MATCH',
  ],
  ['WITH_TABLE_LOCATION', (s: Parsed) => set(s.withTableLocation)],
  ['WITH_OVERWRITE', (s: Parsed) => set(s.withOverwrite)],
  ['WITH_PARTITIONING', (s: Parsed) => set(s.withPartitioningStrategy)],
  ['WITHSESSION', (s: Parsed) => set(s.withSession)],
  ['WITHACK', (s: Parsed) => set(s.withAck)],
  ['WITHENCODEBASE64', (s: Parsed) => set(s.withEncodeBase64)],
  ['WITH_LOCK_TIME', (s: Parsed) => s.withLockTime !== undefined && s.withLockTime !== -1],
] as const;

function hasFieldOfType(s: Parsed, type: string): boolean {
  return Array.isArray(s.fields) && s.fields.some((f: { type?: string }) => f.type === type);
}

/** The clauses a parsed statement uses, in the order of the table above. */
export function kcqlClausesUsed(statement: KcqlStatement): KcqlClause[] {
  const s = statement as unknown as Parsed;
  return CLAUSES.filter(([, used]) => used(s)).map(([name]) => name);
}

/** Which KCQL clauses a sink honours; one list drives validation, the README table and the conformance suite. */
export interface KcqlSupport {
  /** Clauses the sink honours (write modes INSERT / UPSERT / UPDATE count as clauses). */
  readonly supported: readonly KcqlClause[];
  /**
   * Clauses Stream Reactor's sink accepted without effect: still accepted, so that old configs run,
   * with a warning that they have no effect.
   */
  readonly ignored?: readonly KcqlClause[];
}

/**
 * Checks every statement: an INSERT/UPSERT target, and no clause outside `supported` + `ignored` (the
 * sink would otherwise ignore what the user wrote). Throws ConfigException on `kcqlKey` naming the
 * statement, the clauses and what the sink supports; returns a warning per ignored clause used.
 */
export function checkKcqlSupport(
  statements: readonly KcqlStatement[],
  support: KcqlSupport,
  kcqlKey: string,
  sinkName: string,
): string[] {
  const { supported, ignored = [] } = support;
  const warnings: string[] = [];
  statements.forEach((statement, i) => {
    const label = `statement ${i + 1} (FROM ${statement.source ?? '?'})`;
    if (!statement.target || !statement.writeMode) {
      throw new ConfigException(
        kcqlKey,
        `${label} has no INSERT INTO / UPSERT INTO target; ${sinkName} needs one.`,
      );
    }
    const used = kcqlClausesUsed(statement);
    const unsupported = used.filter((c) => !supported.includes(c) && !ignored.includes(c));
    if (unsupported.length > 0) {
      throw new ConfigException(
        kcqlKey,
        `${label} uses ${unsupported.join(', ')}, which ${sinkName} does not support ` +
          `(it supports ${supported.join(', ')}). Remove ${unsupported.length > 1 ? 'these clauses' : 'the clause'}.`,
      );
    }
    for (const c of used.filter((u) => ignored.includes(u) && !supported.includes(u))) {
      warnings.push(
        `KCQL ${label} uses ${c}, which ${sinkName} accepts for Stream Reactor compatibility but ignores: it has no effect.`,
      );
    }
  });
  return warnings;
}

/** checkKcqlSupport for a sink that has no ignored clauses. */
export function checkKcqlClauses(
  statements: readonly KcqlStatement[],
  supported: readonly KcqlClause[],
  kcqlKey: string,
  sinkName: string,
): void {
  checkKcqlSupport(statements, { supported }, kcqlKey, sinkName);
}

/**
 * For SinkPlugin.validate: the router's topic check, the clause check and the sink's own checks
 * (`check` throws ConfigException), reported against the key at fault rather than thrown.
 */
export function validateKcql(
  config: Record<string, string>,
  kcqlKey: string,
  supported: readonly KcqlClause[],
  sinkName: string,
  check?: (statement: KcqlStatement) => void,
): Record<string, string[]> {
  try {
    const router = KcqlRouter.fromConfig(config, kcqlKey);
    checkKcqlClauses(router.statements, supported, kcqlKey, sinkName);
    if (check) for (const s of router.statements) check(s);
    return {};
  } catch (e) {
    if (!(e instanceof ConfigException)) throw e;
    return { [e.key ?? kcqlKey]: [e.message] };
  }
}
