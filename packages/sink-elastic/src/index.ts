import { createRequire } from 'node:module';
import { defineStreamReactorSink } from '@sluice/core/sink';
import { createClient } from './client.js';
import { KCQL_DOC, PREFIX, configDef, elasticSettings, type ElasticSettings } from './config.js';
import { compileRoute, toOperation, type ElasticOperation, type Route } from './operations.js';
import { classify, writeBulk, type ElasticConnection } from './writer.js';

// The plugin the runtime loads for `connector.class` = `@sluice/sink-elastic`, `ElasticSinkConnector`
// or any of Stream Reactor's Elasticsearch sink class names, declared on the sink kit.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export const elasticSinkPlugin = defineStreamReactorSink<
  ElasticSettings,
  Route,
  ElasticConnection,
  ElasticOperation
>({
  name: '@sluice/sink-elastic',
  version,
  className: 'ElasticSinkConnector',
  aliases: [
    'io.lenses.streamreactor.connect.elastic7.ElasticSinkConnector',
    'io.lenses.streamreactor.connect.elastic6.ElasticSinkConnector',
    'com.datamountaineer.streamreactor.connect.elastic7.ElasticSinkConnector',
    'com.datamountaineer.streamreactor.connect.elastic6.ElasticSinkConnector',
    'com.datamountaineer.streamreactor.connect.elastic5.ElasticSinkConnector',
    'com.datamountaineer.streamreactor.connect.elastic.ElasticSinkConnector',
  ],
  displayName: 'the Elasticsearch sink',
  prefix: PREFIX,
  configDef,
  kcqlDoc: KCQL_DOC,
  kcql: {
    // spec §10 for Elasticsearch 6/7, plus IGNORE (which the reference parsed and did not apply) and the
    // shared projection's `_key`, `_header` and metadata fields.
    supported: [
      'INSERT',
      'UPSERT',
      'IGNORE',
      'PK',
      'AUTOCREATE',
      'WITHSTRUCTURE',
      'WITHINDEXSUFFIX',
      'WITHPIPELINE',
      'PROPERTIES',
      'SELECT _key',
      'SELECT _header',
      'SELECT _.topic/partition/offset/timestamp',
    ],
    // Mapping types are gone from Elasticsearch 7+: accepted for 6.x configs, with a warning.
    ignored: ['WITHDOCTYPE'],
  },
  settings: (parsed) => elasticSettings(parsed),
  compile: (statement, settings) => compileRoute(statement, settings),
  // No request here: a cluster that is down at start is handled by the error policy like one that
  // goes down later.
  connect: (settings, runtime) => ({
    client: createClient(settings),
    logger: runtime.logger,
    connectorName: runtime.connectorName,
    created: new Set<string>(),
  }),
  close: (connection) => connection.client.close(),
  prepare: (record, route, _settings, runtime) =>
    toOperation(record, route, { connectorName: runtime.connectorName }),
  write: (connection, operations, settings) => writeBulk(connection, operations, settings),
  classify,
  // Each statement says what its tombstones do (PROPERTIES('behavior.on.null.values')): prepare decides.
  tombstones: () => 'delete',
  // Bulk requests of batch.size actions and bulk.max.bytes; the kit's write pipeline keeps max.in.flight of them writing
  // across puts, commits only what Elasticsearch acknowledged, and writes each document (index and id)
  // in record order: a request for an id another request is still writing waits for it.
  batchSize: (_statement, settings) => settings.batchSize,
  batchBytes: { limit: (settings) => settings.bulkMaxBytes, of: (operation) => operation.bytes },
  maxInFlight: (settings) => settings.maxInFlight,
  pipeline: {
    maxInFlightBatches: (settings) => settings.maxInFlight,
    orderingKey: (operation) => `${operation.index}\u0000${operation.id}`,
  },
});

export default elasticSinkPlugin;
export { configDef } from './config.js';
export { toOperation, compileRoute, type ElasticOperation, type Route } from './operations.js';
