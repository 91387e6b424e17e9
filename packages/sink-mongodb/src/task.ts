import type { MongoClient } from 'mongodb';
import {
  ConfigException,
  KcqlRouter,
  checkKcqlClauses,
  putRouted,
  streamReactorTaskTools,
  type ErrorPolicy,
  type KcqlStatement,
  type ProgressCounter,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
} from '@sluice/core/sink';
import { createMongoClient } from './client.js';
import {
  KCQL_KEY,
  PREFIX,
  SUPPORTED_KCQL,
  configDef,
  mongoSinkConfig,
  type MongoSinkConfig,
} from './config.js';
import { toOperation } from './operations.js';
import { MongoWriter, type PendingWrite } from './writer.js';

/** Stream Reactor's default bulk size when a statement has no `BATCH = n`. */
export const DEFAULT_BATCH_SIZE = 100;

/** Checks the KCQL the way the task will use it; shared by the plugin's validate and the task's start. */
export function mongoRouter(config: Record<string, string>): KcqlRouter {
  const router = KcqlRouter.fromConfig(config, KCQL_KEY);
  checkKcqlClauses(router.statements, SUPPORTED_KCQL, KCQL_KEY, 'the MongoDB sink');
  for (const s of router.statements) checkPrimaryKeys(s);
  return router;
}

/** UPSERT needs PK fields, and their leaf names (the `_id` sub-document keys) must differ. */
export function checkPrimaryKeys(statement: KcqlStatement): void {
  if (statement.writeMode !== 'UPSERT') return;
  if (statement.primaryKeys.length === 0) {
    throw new ConfigException(
      KCQL_KEY,
      `[${statement.target}] is set up with upsert, you need to set primary keys (PK a, b.c).`,
    );
  }
  const names = statement.primaryKeys.map((pk) => pk.alias);
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length > 0) {
    throw new ConfigException(
      KCQL_KEY,
      `[${statement.target}] has PK fields with the same leaf name (${repeated.join(', ')}); _id sub-document keys are leaf names, so they would overwrite each other.`,
    );
  }
}

export class MongoSinkTask implements SinkTask {
  private context!: SinkTaskContext;
  private router!: KcqlRouter;
  private config!: MongoSinkConfig;
  private errorPolicy!: ErrorPolicy;
  private progress: ProgressCounter | null = null;
  private client: MongoClient | null = null;
  private writer!: MongoWriter;

  async start(props: Record<string, string>, context: SinkTaskContext): Promise<void> {
    this.context = context;
    const parsed = configDef.parse(props);
    this.config = mongoSinkConfig(parsed);
    this.router = mongoRouter(props);
    ({ errorPolicy: this.errorPolicy, progress: this.progress } = streamReactorTaskTools(
      parsed,
      PREFIX,
      context,
    ));
    // No connect() here: the driver connects on first use, so a server that is down at start is
    // handled by the error policy like one that goes down later.
    this.client = createMongoClient(this.config);
    this.writer = new MongoWriter(this.client.db(this.config.database), {
      connectorName: context.connectorName,
      maxInFlight: this.config.maxInFlight,
      logger: context.logger,
    });
    context.logger.info(
      `Connector ${context.connectorName} task ${context.taskId}: writing to MongoDB database ${this.config.database} ` +
        `(${this.router.statements.map((s) => `${s.source} → ${s.target} ${s.writeMode}`).join(', ')})`,
    );
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const started = performance.now();
    await putRouted(this.errorPolicy, this.context, records, {
      routes: (topic) => this.router.routes(topic),
      prepare: (record, statement): PendingWrite => ({
        record,
        collection: statement.target!,
        batchSize: statement.batchSize > 0 ? statement.batchSize : DEFAULT_BATCH_SIZE,
        operation: toOperation(record, statement, {
          connectorName: this.context.connectorName,
          deleteOnNull: this.config.deleteOnNull,
          jsonDatetimeFields: this.config.jsonDatetimeFields,
        }),
      }),
      write: (writes) => this.writer.write(writes),
    });
    this.context.logger.debug(
      `put: ${records.length} records written in ${(performance.now() - started).toFixed(1)} ms`,
    );
    this.progress?.update(records);
  }

  async stop(): Promise<void> {
    this.progress?.clear();
    const client = this.client;
    this.client = null;
    await client?.close();
  }
}
