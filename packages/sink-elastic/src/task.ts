import type { Client } from '@elastic/elasticsearch';
import {
  ConnectException,
  DataException,
  KcqlRouter,
  checkKcqlClauses,
  recordError,
  reportBadRecord,
  streamReactorTaskTools,
  type ErrorPolicy,
  type KcqlClause,
  type KcqlStatement,
  type ProgressCounter,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
} from '@sluice/core';
import { createClient } from './client.js';
import { KCQL_KEY, PREFIX, configDef, elasticSettings, type ElasticSettings } from './config.js';
import { compileRoute, toOperation, type Route } from './operations.js';
import { ElasticWriter, classifyError, describeError, type PendingWrite } from './writer.js';

/** The KCQL this sink honours (spec §10 matrix for ES 6/7, plus IGNORE and the shared projection). */
export const SUPPORTED_KCQL: readonly KcqlClause[] = [
  'INSERT',
  'UPSERT',
  'IGNORE',
  'PK',
  'AUTOCREATE',
  'WITHSTRUCTURE',
  'WITHDOCTYPE',
  'WITHINDEXSUFFIX',
  'WITHPIPELINE',
  'PROPERTIES',
  'SELECT _key',
  'SELECT _header',
  'SELECT _.topic/partition/offset/timestamp',
];

/** Checks the KCQL the way the task will use it; shared by the plugin's validate and the task's start. */
export function elasticRoutes(
  config: Record<string, string>,
  settings: Pick<ElasticSettings, 'pkSeparator'>,
): { router: KcqlRouter; routes: Map<KcqlStatement, Route> } {
  const router = KcqlRouter.fromConfig(config, KCQL_KEY);
  checkKcqlClauses(router.statements, SUPPORTED_KCQL, KCQL_KEY, 'the Elasticsearch sink');
  return { router, routes: new Map(router.statements.map((s) => [s, compileRoute(s, settings)])) };
}

export class ElasticSinkTask implements SinkTask {
  private context!: SinkTaskContext;
  private router!: KcqlRouter;
  private routes!: Map<KcqlStatement, Route>;
  private errorPolicy!: ErrorPolicy;
  private progress: ProgressCounter | null = null;
  private client: Client | null = null;
  private writer!: ElasticWriter;

  async start(props: Record<string, string>, context: SinkTaskContext): Promise<void> {
    this.context = context;
    const parsed = configDef.parse(props);
    const settings = elasticSettings(parsed);
    ({ router: this.router, routes: this.routes } = elasticRoutes(props, settings));
    ({ errorPolicy: this.errorPolicy, progress: this.progress } = streamReactorTaskTools(
      parsed,
      PREFIX,
      context,
    ));
    for (const route of this.routes.values()) {
      if (route.docType !== null) {
        context.logger.info(
          `Connector ${context.connectorName}: WITHDOCTYPE=${route.docType} for ${route.statement.target} is ignored: Elasticsearch 7 and later have no mapping types.`,
        );
      }
    }
    // No request here: a cluster that is down at start is handled by the error policy like one that
    // goes down later.
    this.client = createClient(settings);
    this.writer = new ElasticWriter(this.client, {
      batchSize: settings.batchSize,
      bulkMaxBytes: settings.bulkMaxBytes,
      maxInFlight: settings.maxInFlight,
      logger: context.logger,
      connectorName: context.connectorName,
    });
    context.logger.info(
      `Connector ${context.connectorName} task ${context.taskId}: writing to Elasticsearch at ${settings.nodes.join(', ')} ` +
        `(${this.router.statements.map((s) => `${s.source} → ${s.target} ${s.writeMode}`).join(', ')})`,
    );
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    let fatal: Error | null = null;
    await this.errorPolicy.run(async () => {
      const writes: PendingWrite[] = [];
      for (const record of records) {
        for (const statement of this.router.routes(record.topic)) {
          try {
            const operation = toOperation(record, this.routes.get(statement)!, {
              connectorName: this.context.connectorName,
            });
            if (operation !== null) writes.push({ record, operation });
          } catch (e) {
            if (!(e instanceof DataException)) throw e;
            await reportBadRecord(this.context, record, e);
          }
        }
      }
      let failures;
      try {
        failures = await this.writer.write(writes);
      } catch (e) {
        const reason = `${describeError(e)}`;
        if (classifyError(e) === 'fatal') {
          fatal = new ConnectException(`Connector ${this.context.connectorName}: ${reason}`, { cause: e });
          return;
        }
        throw new Error(reason, { cause: e });
      }
      const transient = failures.filter((f) => f.kind === 'transient');
      const fatalItem = failures.find((f) => f.kind === 'fatal');
      if (fatalItem) {
        fatal = new ConnectException(`Connector ${this.context.connectorName}: ${fatalItem.message}`);
        return;
      }
      if (transient.length > 0) {
        // Every action is idempotent (by id), so redelivering the whole batch is safe.
        throw new Error(`${transient.length} bulk items failed for now; the first: ${transient[0]!.message}`);
      }
      for (const f of failures) {
        const record = writes[f.item]!.record;
        await reportBadRecord(
          this.context,
          record,
          recordError(record, { connectorName: this.context.connectorName }, f.message),
        );
      }
    });
    if (fatal) throw fatal;
    this.progress?.update(records);
  }

  async stop(): Promise<void> {
    this.progress?.clear();
    const client = this.client;
    this.client = null;
    await client?.close();
  }
}
