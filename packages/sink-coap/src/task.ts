import {
  ConfigDef,
  defineStreamReactorKeys,
  putRouted,
  streamReactorTaskTools,
  type ErrorPolicy,
  type KcqlRouter,
  type KcqlStatement,
  type ProgressCounter,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
} from '@sluice/core';
import { CoapClient } from './client.js';
import { PREFIX, coapSinkConfig, defineCoapKeys, type CoapSinkConfig } from './config.js';
import { coapRoutes, toRequest, type CoapRoute } from './requests.js';
import { CoapWriter, type PendingRequest } from './writer.js';

export const configDef: ConfigDef = defineCoapKeys(
  defineStreamReactorKeys(
    new ConfigDef(),
    PREFIX,
    'KCQL statements: `INSERT INTO <resource path>|_key|_value.<field>|_header.<name> SELECT <fields>|* FROM <topic> [IGNORE …]`, separated by `;`.',
  ),
);

export class CoapSinkTask implements SinkTask {
  private context!: SinkTaskContext;
  private router!: KcqlRouter;
  private routes!: Map<KcqlStatement, CoapRoute>;
  private config!: CoapSinkConfig;
  private errorPolicy!: ErrorPolicy;
  private progress: ProgressCounter | null = null;
  private client: CoapClient | null = null;
  private writer!: CoapWriter;

  async start(props: Record<string, string>, context: SinkTaskContext): Promise<void> {
    this.context = context;
    const parsed = configDef.parse(props);
    this.config = coapSinkConfig(parsed);
    ({ router: this.router, routes: this.routes } = coapRoutes(props));
    ({ errorPolicy: this.errorPolicy, progress: this.progress } = streamReactorTaskTools(
      parsed,
      PREFIX,
      context,
    ));
    this.client = await CoapClient.open(this.config);
    this.writer = new CoapWriter(this.client, {
      connectorName: context.connectorName,
      maxInFlight: this.config.maxInFlight,
    });
    context.logger.info(
      `Connector ${context.connectorName} task ${context.taskId}: sending to ${this.client.describe([])} ` +
        `(${this.router.statements.map((s) => `${s.source} → ${s.target}`).join(', ')})`,
    );
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    await putRouted(this.errorPolicy, this.context, records, {
      routes: (topic) => this.router.routes(topic),
      prepare: (record, statement): PendingRequest | null => {
        const request = toRequest(record, this.routes.get(statement)!, {
          connectorName: this.context.connectorName,
          method: this.config.method,
          tombstones: 'fail',
        });
        return request === null ? null : { record, request };
      },
      write: (items) => this.writer.write(items),
    });
    this.progress?.update(records);
  }

  async stop(): Promise<void> {
    this.progress?.clear();
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (this.config.deleteOnStop) {
      for (const route of this.routes.values()) {
        if (route.target.kind !== 'static') continue;
        try {
          const answer = await client.send({ method: 'DELETE', resource: route.target.segments });
          this.context.logger.info(
            `Connector ${this.context.connectorName}: deleted ${client.describe(route.target.segments)} on stop (${answer?.code ?? 'sent'})`,
          );
        } catch (e) {
          this.context.logger.warn(
            `Connector ${this.context.connectorName}: could not delete ${client.describe(route.target.segments)} on stop: ${(e as Error).message}`,
          );
        }
      }
    }
    await client.close();
  }
}
