import type cassandra from 'cassandra-driver';
import {
  ConfigException,
  ConnectException,
  DataException,
  KcqlRouter,
  checkKcqlClauses,
  putRouted,
  streamReactorTaskTools,
  type ErrorPolicy,
  type ProgressCounter,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
} from '@sluice/core';
import {
  KCQL_KEY,
  PREFIX,
  SUPPORTED_KCQL,
  cassandraSettings,
  configDef,
  refusedKeys,
  type CassandraSettings,
} from './config.js';
import { classify } from './errors.js';
import { prepareRow, type RowOperation } from './operations.js';
import { compileRoute, type TableRoute } from './routes.js';
import { connectClient } from './session.js';
import { CassandraWriter } from './writer.js';

/** The routes of a connector config, checked the way the task uses them (validate and start share it). */
export function cassandraRoutes(
  props: Record<string, string>,
  settings: CassandraSettings,
): Map<string, TableRoute[]> {
  const router = KcqlRouter.fromConfig(props, KCQL_KEY);
  checkKcqlClauses(router.statements, SUPPORTED_KCQL, KCQL_KEY, 'the Cassandra sink');
  const routes = new Map<string, TableRoute[]>();
  for (const statement of router.statements) {
    const route = compileRoute(statement, settings);
    routes.set(route.topic, [...(routes.get(route.topic) ?? []), route]);
  }
  return routes;
}

export class CassandraSinkTask implements SinkTask {
  private context!: SinkTaskContext;
  private settings!: CassandraSettings;
  private routes!: Map<string, TableRoute[]>;
  private errorPolicy!: ErrorPolicy;
  private progress: ProgressCounter | null = null;
  private client: cassandra.Client | null = null;
  private writer: CassandraWriter | null = null;

  async start(props: Record<string, string>, context: SinkTaskContext): Promise<void> {
    this.context = context;
    for (const [key, [message]] of Object.entries(refusedKeys(props)))
      throw new ConfigException(key, message!);
    const parsed = configDef.parse(props);
    this.settings = cassandraSettings(parsed, props);
    this.routes = cassandraRoutes(props, this.settings);
    ({ errorPolicy: this.errorPolicy, progress: this.progress } = streamReactorTaskTools(
      parsed,
      PREFIX,
      context,
    ));
    const targets = [...this.routes.values()].flat().map((r) => `${r.topic} → ${r.keyspace}.${r.table}`);
    // The connection is opened by the first put, so that a cluster that is down at start is handled by
    // the error policy like one that goes down later.
    context.logger.info(
      `Connector ${context.connectorName} task ${context.taskId}: writing to Cassandra at ${this.settings.contactPoints.join(',')} (${targets.join(', ')})`,
    );
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    let fatal: unknown;
    const skip = this.settings.ignoreErrors;
    try {
      await putRouted(this.errorPolicy, this.context, records, {
        routes: (topic) => this.routes.get(topic) ?? [],
        prepare: (record, route): RowOperation | null => {
          try {
            return prepareRow(record, route, {
              connectorName: this.context.connectorName,
              legacyDelete: this.settings.legacyDelete,
            });
          } catch (e) {
            if (e instanceof DataException && skip === 'all') return this.skipped(e);
            throw e;
          }
        },
        write: async (ops) => {
          try {
            const refused = await (await this.connectedWriter()).write(ops);
            return refused
              .filter((r) => {
                if (skip === 'all' || (skip === 'driver' && r.source === 'driver'))
                  return this.skipped(r.error) !== null;
                return true;
              })
              .map((r) => ({ record: ops[r.index]!.record, error: r.error }));
          } catch (e) {
            if (classify(e) === 'fatal') fatal = e;
            throw e;
          }
        },
      });
    } catch (e) {
      if (fatal === undefined) throw e;
    }
    // Credentials, permissions, a missing keyspace or table: no policy can make these work (NOOP
    // would otherwise swallow them, RETRY retry them forever).
    if (fatal !== undefined) {
      throw new ConnectException(
        `Connector ${this.context.connectorName}: ${(fatal as Error).message}. The task stops (this is not retried).`,
        { cause: fatal },
      );
    }
    this.progress?.update(records);
  }

  /** ignore.errors.mode: the record is logged and left out. */
  private skipped(error: Error): null {
    this.context.logger.warn(
      `${error.message} (skipped: ${PREFIX}.ignore.errors.mode=${this.settings.ignoreErrors})`,
    );
    return null;
  }

  private async connectedWriter(): Promise<CassandraWriter> {
    if (this.writer) return this.writer;
    this.client = await connectClient(this.settings);
    this.writer = new CassandraWriter(this.client, {
      connectorName: this.context.connectorName,
      maxConcurrent: this.settings.maxConcurrent,
      maxBatchSize: this.settings.maxBatchSize,
      logger: this.context.logger,
    });
    return this.writer;
  }

  async stop(): Promise<void> {
    this.progress?.clear();
    const client = this.client;
    this.client = null;
    this.writer = null;
    await client?.shutdown();
  }
}
