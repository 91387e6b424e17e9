import {
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
  configDef,
  influxSinkConfig,
  type InfluxSinkConfig,
} from './config.js';
import { InfluxPointWriter } from './point-writer.js';
import { buildPoints } from './points.js';
import { compileRoute, type InfluxRoute } from './route.js';
import { NanoClock } from './timestamps.js';

/** Checks the KCQL the way the task will use it; shared by the plugin's validate and the task's start. */
export function influxRoutes(config: Record<string, string>): {
  router: KcqlRouter;
  routes: Map<unknown, InfluxRoute>;
} {
  const router = KcqlRouter.fromConfig(config, KCQL_KEY);
  checkKcqlClauses(router.statements, SUPPORTED_KCQL, KCQL_KEY, 'the InfluxDB sink');
  return { router, routes: new Map(router.statements.map((s) => [s, compileRoute(s)])) };
}

export class InfluxSinkTask implements SinkTask {
  private context!: SinkTaskContext;
  private router!: KcqlRouter;
  private routes!: Map<unknown, InfluxRoute>;
  private config!: InfluxSinkConfig;
  private errorPolicy!: ErrorPolicy;
  private progress: ProgressCounter | null = null;
  private writer!: InfluxPointWriter;
  private readonly clock = new NanoClock();
  private readonly warned = new Set<string>();

  async start(props: Record<string, string>, context: SinkTaskContext): Promise<void> {
    this.context = context;
    const parsed = configDef.parse(props);
    this.config = influxSinkConfig(parsed, props);
    ({ router: this.router, routes: this.routes } = influxRoutes(props));
    ({ errorPolicy: this.errorPolicy, progress: this.progress } = streamReactorTaskTools(
      parsed,
      PREFIX,
      context,
    ));
    this.writer = new InfluxPointWriter(this.config, context.connectorName);
    context.logger.info(
      `Connector ${context.connectorName} task ${context.taskId}: writing to InfluxDB ${this.writer.describeTarget()} ` +
        `(${[...this.routes.values()].map((r) => r.label).join(', ')})`,
    );
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    await putRouted(this.errorPolicy, this.context, records, {
      routes: (topic) => this.router.routes(topic).map((s) => this.routes.get(s)!),
      prepare: (record, route) => ({
        record,
        points: buildPoints(record, route, {
          connectorName: this.context.connectorName,
          clock: this.clock,
          warnOnce: (r, message) => this.warnOnce(r, message),
        }),
      }),
      write: (writes) => this.writer.write(writes),
    });
    this.progress?.update(records);
  }

  private warnOnce(route: InfluxRoute, message: string): void {
    const key = `${route.label}\u0000${message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.context.logger.warn(
      `Connector ${this.context.connectorName}: ${route.label}: ${message} (logged once).`,
    );
  }

  async stop(): Promise<void> {
    this.progress?.clear();
  }
}
