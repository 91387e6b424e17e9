import { ConfigDef, type ConfigValue } from '../config/def.js';
import { ConfigException, ConnectException, DataException } from '../errors.js';
import { recordError } from '../mapping/record-view.js';
import { KcqlRouter } from '../mapping/router.js';
import type { KcqlStatement } from '../mapping/statement.js';
import type { SinkPlugin, SinkRecord, SinkTask, SinkTaskContext, TaskLogger } from '../sink/api.js';
import type { ErrorPolicy } from '../sink/error-policy.js';
import type { ProgressCounter } from '../sink/progress.js';
import {
  checkKcqlSupport,
  defineStreamReactorKeys,
  streamReactorTaskTools,
  type KcqlSupport,
} from '../sink/stream-reactor-config.js';
import { chunk, groupBy, runLimited } from './batching.js';
import { defaultClassify, type ErrorClass } from './error-classes.js';

// defineStreamReactorSink: one declaration → the plugin object (class-name aliases, config keys with
// the Stream Reactor common ones, validation) and its task. The sink supplies what is its own — keys,
// typed settings, a compile step per KCQL statement, connect / prepare / write / close and an error
// classifier — and the kit does the rest the same way for every sink: routing, batching with bounded
// concurrency, per-item outcomes, error classes, the error policy, tombstones and progress.

export type TombstoneMode = 'ignore' | 'delete' | 'fail';

/** Who is running: for connections, names in errors and logs. */
export interface SinkRuntime {
  readonly connectorName: string;
  readonly taskId: number;
  readonly logger: TaskLogger;
  /** Aborted when the task stops: waits (for a connection, an acknowledgement) should end. */
  readonly signal: AbortSignal;
}

/** One item of a write that the store refused; `index` is its position in the operations passed. */
export interface ItemFailure {
  readonly index: number;
  readonly error: unknown;
}

/** What `write` resolves with: nothing (all written) or the items the store refused. */
export type WriteOutcome = void | readonly ItemFailure[];

export interface StreamReactorSinkDefinition<S, R, C, Op> {
  /** npm package name, e.g. `@sluice/sink-elastic`. */
  readonly name: string;
  readonly version: string;
  /** e.g. `ElasticSinkConnector`. */
  readonly className: string;
  /** Stream Reactor's class names (`com.datamountaineer…`, `io.lenses…`). */
  readonly aliases: readonly string[];
  /** For messages: 'the Elasticsearch sink'. */
  readonly displayName: string;
  /** e.g. `connect.elastic`: the kit adds `<prefix>.kcql|error.policy|max.retries|retry.interval`. */
  readonly prefix: string;
  /** The store's own keys. */
  readonly configDef: ConfigDef;
  readonly kcqlDoc?: string;
  readonly kcql: KcqlSupport;
  /** Typed settings from the parsed keys; a cross-key error throws ConfigException(key, message). */
  settings(parsed: Record<string, ConfigValue>, props: Record<string, string>): S;
  /** A KCQL statement → what prepare needs; ConfigException for a statement the sink cannot run. */
  compile(statement: KcqlStatement, settings: S): R;
  /**
   * What a statement uses without effect beyond whole clauses (`kcql.ignored`), e.g. a PK on INSERT:
   * each message is a WARN at validate and at start.
   */
  kcqlWarnings?(statement: KcqlStatement, settings: S): readonly string[];
  connect(settings: S, runtime: SinkRuntime): C | Promise<C>;
  close?(connection: C): void | Promise<void>;
  /** One record → store operation(s); null skips it. A bad record throws DataException. */
  prepare(record: SinkRecord, route: R, settings: S, runtime: SinkRuntime): Op | readonly Op[] | null;
  /** Writes one batch; resolves with the items refused, or throws for the whole batch. */
  write(connection: C, operations: readonly Op[], settings: S): Promise<WriteOutcome>;
  /** Store errors → data / transient / fatal; undefined (or no hook) → defaultClassify. */
  classify?(error: unknown): ErrorClass | undefined;
  /** What a record with a null value does (default 'fail': a data error). 'delete' passes it to prepare. */
  tombstones?(settings: S): TombstoneMode;
  /** Operations with the same key are written together (default: one group per KCQL statement). */
  groupKey?(operation: Op, route: R, statement: KcqlStatement): unknown;
  /** Operations per write (default: the statement's BATCH, else the whole group). */
  batchSize?(statement: KcqlStatement, settings: S): number;
  /** Writes in flight at once (default 1). */
  maxInFlight?(settings: S): number;
  taskConfigs?(config: Record<string, string>, maxTasks: number): Record<string, string>[];
}

/** The checked configuration of a connector: what validate checks and start builds on. */
export interface CompiledSinkConfig<S, R> {
  readonly parsed: Record<string, ConfigValue>;
  readonly settings: S;
  readonly router: KcqlRouter;
  readonly routes: ReadonlyMap<KcqlStatement, R>;
  /** Clauses accepted without effect. */
  readonly warnings: readonly string[];
}

export interface StreamReactorSinkPlugin<S, R> extends SinkPlugin {
  readonly displayName: string;
  readonly prefix: string;
  readonly kcqlKey: string;
  readonly kcql: KcqlSupport;
  /** Parses and checks `props` as start does; throws ConfigException naming the key at fault. */
  compileConfig(props: Record<string, string>): CompiledSinkConfig<S, R>;
  validate(config: Record<string, string>, logger?: TaskLogger): Record<string, string[]>;
  createTask(): StreamReactorSinkTask<S, R>;
}

export function defineStreamReactorSink<S, R, C, Op>(
  definition: StreamReactorSinkDefinition<S, R, C, Op>,
): StreamReactorSinkPlugin<S, R> {
  const kcqlKey = `${definition.prefix}.kcql`;
  const configDef = defineStreamReactorKeys(
    new ConfigDef().merge(definition.configDef),
    definition.prefix,
    definition.kcqlDoc,
  );

  const compileConfig = (props: Record<string, string>): CompiledSinkConfig<S, R> => {
    const router = KcqlRouter.fromConfig(props, kcqlKey);
    const warnings = checkKcqlSupport(router.statements, definition.kcql, kcqlKey, definition.displayName);
    const parsed = configDef.parse(props);
    const settings = definition.settings(parsed, props);
    const routes = new Map<KcqlStatement, R>();
    for (const statement of router.statements) {
      routes.set(statement, definition.compile(statement, settings));
      warnings.push(...(definition.kcqlWarnings?.(statement, settings) ?? []));
    }
    return { parsed, settings, router, routes, warnings };
  };

  const plugin: StreamReactorSinkPlugin<S, R> = {
    name: definition.name,
    version: definition.version,
    className: definition.className,
    aliases: [...definition.aliases],
    type: 'sink',
    configDef,
    displayName: definition.displayName,
    prefix: definition.prefix,
    kcqlKey,
    kcql: definition.kcql,
    compileConfig,
    validate(config, logger) {
      // A bad single key is reported on that key by the ConfigDef; settings() cannot run without it,
      // but the KCQL checks still can.
      const keysValid = configDef.validate(config).every((v) => v.errors.length === 0);
      try {
        if (keysValid) {
          for (const w of compileConfig(config).warnings) warn(logger, w);
        } else {
          const router = KcqlRouter.fromConfig(config, kcqlKey);
          checkKcqlSupport(router.statements, definition.kcql, kcqlKey, definition.displayName);
        }
        return {};
      } catch (e) {
        if (!(e instanceof ConfigException)) throw e;
        if (reportedElsewhere(e, config, kcqlKey)) return {};
        return { [e.key ?? kcqlKey]: [e.message] };
      }
    },
    createTask: () => new StreamReactorSinkTask(definition, compileConfig),
  };
  if (definition.taskConfigs)
    plugin.taskConfigs = (config, maxTasks) => definition.taskConfigs!(config, maxTasks);
  return plugin;
}

// A missing KCQL key (the ConfigDef) and missing topics (the worker's sink rules) are reported already.
function reportedElsewhere(e: ConfigException, config: Record<string, string>, kcqlKey: string): boolean {
  if (e.key === kcqlKey) return (config[kcqlKey] ?? '').trim() === '';
  if (e.key === 'topics') return !config['topics']?.trim() && !config['topics.regex']?.trim();
  return false;
}

function warn(logger: TaskLogger | undefined, message: string): void {
  if (logger) logger.warn(message);
  else process.emitWarning(message, { code: 'SLUICE_KCQL_IGNORED' });
}

interface Item<R, Op> {
  readonly record: SinkRecord;
  readonly statement: KcqlStatement;
  readonly route: R;
  readonly operation: Op;
}

interface Failure {
  readonly error: Error;
  readonly cls: ErrorClass;
  readonly records: readonly SinkRecord[];
}

/** The task every kit sink runs. */
export class StreamReactorSinkTask<S, R> implements SinkTask {
  private context!: SinkTaskContext;
  private compiled!: CompiledSinkConfig<S, R>;
  private runtime!: SinkRuntime;
  private errorPolicy!: ErrorPolicy;
  private progress: ProgressCounter | null = null;
  private connection: unknown = null;
  private connected = false;
  private tombstones: TombstoneMode = 'fail';
  private readonly abort = new AbortController();
  private dropped = 0;

  constructor(
    private readonly definition: StreamReactorSinkDefinition<S, R, any, any>,
    private readonly compileConfig: (props: Record<string, string>) => CompiledSinkConfig<S, R>,
  ) {}

  /** Records dropped under the NOOP error policy since start (each is logged with its coordinates). */
  get droppedRecords(): number {
    return this.dropped;
  }

  async start(props: Record<string, string>, context: SinkTaskContext): Promise<void> {
    this.context = context;
    this.compiled = this.compileConfig(props);
    const who = `Connector ${context.connectorName}`;
    for (const w of this.compiled.warnings) context.logger.warn(`${who}: ${w}`);
    ({ errorPolicy: this.errorPolicy, progress: this.progress } = streamReactorTaskTools(
      this.compiled.parsed,
      this.definition.prefix,
      context,
    ));
    this.tombstones = this.definition.tombstones?.(this.compiled.settings) ?? 'fail';
    this.runtime = {
      connectorName: context.connectorName,
      taskId: context.taskId,
      logger: context.logger,
      signal: this.abort.signal,
    };
    try {
      this.connection = await this.definition.connect(this.compiled.settings, this.runtime);
      this.connected = true;
    } catch (e) {
      throw new ConnectException(
        `${who}: ${this.definition.displayName} cannot connect: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { items, bad } = this.prepareAll(records);
    const failures = await this.writeAll(items);
    const batchFailures = failures.filter((f) => f.cls !== 'data');
    bad.push(...failures.filter((f) => f.cls === 'data'));

    const fatal = batchFailures.find((f) => f.cls === 'fatal');
    if (fatal) {
      throw new ConnectException(
        `Connector ${this.context.connectorName}: ${this.definition.displayName} cannot write: ${fatal.error.message}. ` +
          'Retrying cannot help, so the task stops whatever the error policy; fix the cause and restart the task.',
        { cause: fatal.error },
      );
    }
    if (batchFailures.length > 0) {
      const first = batchFailures[0]!;
      const failed = batchFailures.flatMap((f) => f.records);
      // THROW and RETRY throw, RETRY to have the batch redelivered — before any record of it went to
      // the DLQ, so that none goes there twice. NOOP drops the records of the failed writes only.
      if (this.errorPolicy.policy !== 'NOOP') {
        this.errorPolicy.handle(
          batchFailures.length === 1
            ? first.error
            : new Error(`${first.error.message} (and ${batchFailures.length - 1} more failed writes)`, {
                cause: first.error,
              }),
        );
      }
      this.drop(failed, first.error);
    }
    for (const b of bad) await this.handleBadRecord(b.records[0]!, b.error);
    if (batchFailures.length === 0) this.errorPolicy.succeeded();
    this.progress?.update(records);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.progress?.clear();
    if (!this.connected) return;
    this.connected = false;
    await this.definition.close?.(this.connection);
  }

  private classify(error: unknown): ErrorClass {
    return this.definition.classify?.(error) ?? defaultClassify(error);
  }

  private prepareAll(records: readonly SinkRecord[]): { items: Item<R, unknown>[]; bad: Failure[] } {
    const { router, routes, settings } = this.compiled;
    const items: Item<R, unknown>[] = [];
    const bad: Failure[] = [];
    for (const record of records) {
      if (record.value === null && this.tombstones !== 'delete') {
        if (this.tombstones === 'ignore') {
          this.context.logger.debug(
            `Connector ${this.context.connectorName}: skipped the tombstone at ${coordinates(record)}.`,
          );
        } else {
          bad.push({
            error: recordError(
              record,
              this.mapping(),
              `the value is null (a tombstone); ${this.definition.displayName} does not write tombstones`,
            ),
            cls: 'data',
            records: [record],
          });
        }
        continue;
      }
      for (const statement of router.routes(record.topic)) {
        const route = routes.get(statement)!;
        let prepared: unknown;
        try {
          prepared = this.definition.prepare(record, route, settings, this.runtime);
        } catch (e) {
          const cls = this.classify(e);
          if (cls !== 'data') throw e;
          bad.push({ error: this.dataError(record, asError(e)), cls, records: [record] });
          continue;
        }
        if (prepared === null || prepared === undefined) continue;
        for (const operation of Array.isArray(prepared) ? prepared : [prepared]) {
          items.push({ record, statement, route, operation });
        }
      }
    }
    return { items, bad };
  }

  private async writeAll(items: readonly Item<R, unknown>[]): Promise<Failure[]> {
    if (items.length === 0) return [];
    const { settings } = this.compiled;
    const def = this.definition;
    const groups = groupBy(items, (i) =>
      def.groupKey ? def.groupKey(i.operation, i.route, i.statement) : i.statement,
    );
    const batches: Item<R, unknown>[][] = [];
    for (const group of groups.values()) {
      const statement = group[0]!.statement;
      const size =
        def.batchSize?.(statement, settings) ??
        (statement.batchSize > 0 ? statement.batchSize : group.length);
      batches.push(...chunk(group, size));
    }
    const jobs = batches.map((batch) => async (): Promise<Failure[]> => {
      let outcome: WriteOutcome;
      try {
        outcome = await def.write(
          this.connection,
          batch.map((i) => i.operation),
          settings,
        );
      } catch (e) {
        const cls = this.classify(e);
        const error = asError(e);
        // A whole batch of data errors is each record's: each goes to the DLQ on its own.
        if (cls === 'data') {
          return batch.map((i) => ({ error: this.dataError(i.record, error), cls, records: [i.record] }));
        }
        return [{ error, cls, records: batch.map((i) => i.record) }];
      }
      return (outcome ?? []).map((f) => {
        const item = batch[f.index];
        if (!item)
          throw new ConnectException(
            `${def.displayName}: write reported a failure for item ${f.index} of ${batch.length}`,
          );
        const cls = this.classify(f.error);
        const error = asError(f.error);
        return {
          error: cls === 'data' ? this.dataError(item.record, error) : error,
          cls,
          records: [item.record],
        };
      });
    });
    return (await runLimited(jobs, Math.max(1, def.maxInFlight?.(settings) ?? 1))).flat();
  }

  /** A DataException naming connector and coordinates (a store's own message is wrapped). */
  private dataError(record: SinkRecord, error: Error): DataException {
    if (error instanceof DataException && error.message.includes(`offset ${record.kafkaOffset}`))
      return error;
    return recordError(record, this.mapping(), error.message, undefined, error);
  }

  private mapping() {
    return { connectorName: this.context.connectorName };
  }

  /** A record that can never be written: DLQ / errors.tolerance; without them, the error policy. */
  private async handleBadRecord(record: SinkRecord, error: Error): Promise<void> {
    const reporter = this.context.errantRecordReporter();
    if (reporter) {
      await reporter.report(record, error);
      return;
    }
    // THROW and RETRY fail the task (retrying cannot help a record the store can never take).
    if (this.errorPolicy.policy !== 'NOOP') this.errorPolicy.handle(error);
    this.drop([record], error);
  }

  // Under NOOP: only these records are lost; each is counted and named, so that none vanishes unseen.
  private drop(records: readonly SinkRecord[], error: Error): void {
    this.dropped += records.length;
    const shown = records.slice(0, 10).map(coordinates).join('; ');
    const more = records.length > 10 ? ` and ${records.length - 10} more` : '';
    this.context.logger.warn(
      `Connector ${this.context.connectorName}: error policy NOOP dropped ${records.length} record(s) (${shown}${more}): ${error.message}`,
    );
  }
}

function coordinates(record: SinkRecord): string {
  return `topic ${record.topic} partition ${record.kafkaPartition} offset ${record.kafkaOffset}`;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
