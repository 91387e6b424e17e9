import { createRequire } from 'node:module';
import { defineStreamReactorSink, type SinkRuntime } from '@sluice/core/sink';
import {
  KCQL_DOC,
  KCQL_SUPPORT,
  PREFIX,
  configDef,
  influxSinkConfig,
  type InfluxSinkConfig,
} from './config.js';
import { InfluxConnection, type PointOp } from './connection.js';
import { encodePoint } from './line-protocol.js';
import { buildPoints } from './points.js';
import { compileRoute, type InfluxRoute } from './route.js';
import { NanoClock } from './timestamps.js';
import { InfluxWriteError } from './writer.js';

// The plugin object the runtime loads for `connector.class` = `@sluice/sink-influxdb`,
// `InfluxSinkConnector` or either Stream Reactor class name.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

// One clock for the process: sys_time() points of every task stay strictly increasing.
const clock = new NanoClock();
// Warnings about a route's data (a tag field records lack…), logged once per task and message.
const warned = new WeakMap<SinkRuntime, Set<string>>();

function warnOnce(runtime: SinkRuntime, route: InfluxRoute, message: string): void {
  const seen = warned.get(runtime) ?? new Set<string>();
  warned.set(runtime, seen);
  const key = `${route.label}\u0000${message}`;
  if (seen.has(key)) return;
  seen.add(key);
  runtime.logger.warn(`Connector ${runtime.connectorName}: ${route.label}: ${message} (logged once).`);
}

export const influxSinkPlugin = defineStreamReactorSink<
  InfluxSinkConfig,
  InfluxRoute,
  InfluxConnection,
  PointOp
>({
  name: '@sluice/sink-influxdb',
  version,
  className: 'InfluxSinkConnector',
  aliases: [
    'io.lenses.streamreactor.connect.influx.InfluxSinkConnector',
    'com.datamountaineer.streamreactor.connect.influx.InfluxSinkConnector',
  ],
  displayName: 'the InfluxDB sink',
  prefix: PREFIX,
  configDef,
  kcqlDoc: KCQL_DOC,
  kcql: KCQL_SUPPORT,
  settings: influxSinkConfig,
  compile: (statement) => compileRoute(statement),
  connect: (settings, runtime) => {
    const connection = new InfluxConnection(settings);
    runtime.logger.info(
      `Connector ${runtime.connectorName} task ${runtime.taskId}: writing to InfluxDB ${connection.describeTarget()}`,
    );
    return connection;
  },
  prepare: (record, route, settings, runtime) =>
    buildPoints(record, route, {
      connectorName: runtime.connectorName,
      clock,
      schemalessFloats: settings.schemalessFloats,
      warnOnce: (r, message) => warnOnce(runtime, r, message),
    }).map((point) => {
      const { line, identity } = encodePoint(point);
      return { record, line, precision: point.precision, identity: `${point.precision} ${identity}` };
    }),
  write: (connection, ops) => connection.write(ops),
  classify: (error) => (error instanceof InfluxWriteError ? error.kind : undefined),
  // Stream Reactor failed on a null value; InfluxDB has no delete by key, so a tombstone is a data error.
  tombstones: () => 'fail',
  // One write precision per request, batch.points per request, batch.bytes counted in characters
  // (the connection checks the body's bytes): the kit's write pipeline keeps max.in.flight requests
  // writing across puts, commits only what InfluxDB acknowledged, and writes points of one series and
  // time in record order (a request waits for an earlier one writing the same).
  groupKey: (op) => op.precision,
  batchSize: (_statement, settings) => settings.batchPoints,
  batchBytes: { limit: (settings) => settings.batchBytes, of: (op) => op.line.length + 1 },
  pipeline: {
    maxInFlightBatches: (settings) => settings.maxInFlight,
    orderingKey: (op) => op.identity,
  },
});

export default influxSinkPlugin;
export { configDef } from './config.js';
