import { createRequire } from 'node:module';
import { defineStreamReactorSink } from '@sluice/core/sink';
import { createMongoClient } from './client.js';
import {
  KCQL_DOC,
  KCQL_SUPPORT,
  PREFIX,
  configDef,
  mongoSinkConfig,
  type MongoSinkConfig,
} from './config.js';
import { compileRoute, toOperation, type MongoOperation, type MongoRoute } from './operations.js';
import { MongoStore, classifyMongoError } from './writer.js';

// The plugin the runtime loads for `connector.class` = `@sluice/sink-mongodb`, `MongoSinkConnector` or
// either Stream Reactor class name: keys and settings (config.ts), KCQL routes and record → operation
// (operations.ts), bulk writes and error classes (writer.ts); the kit does the rest.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Stream Reactor's bulk size when a statement has no `BATCH = n`. */
export const DEFAULT_BATCH_SIZE = 100;

export const mongoSinkPlugin = defineStreamReactorSink<
  MongoSinkConfig,
  MongoRoute,
  MongoStore,
  MongoOperation
>({
  name: '@sluice/sink-mongodb',
  version,
  className: 'MongoSinkConnector',
  aliases: [
    'io.lenses.streamreactor.connect.mongodb.sink.MongoSinkConnector',
    'com.datamountaineer.streamreactor.connect.mongodb.sink.MongoSinkConnector',
  ],
  displayName: 'the MongoDB sink',
  prefix: PREFIX,
  configDef,
  kcqlDoc: KCQL_DOC,
  kcql: KCQL_SUPPORT,
  settings: (parsed) => mongoSinkConfig(parsed),
  compile: (statement) => compileRoute(statement),
  // Stream Reactor accepts a PK on INSERT and ignores it; so do we, saying so.
  kcqlWarnings: (statement) =>
    statement.writeMode === 'INSERT' && statement.primaryKeys.length > 0
      ? [
          `KCQL INSERT INTO ${statement.target} has PK ${statement.primaryKeys.map((pk) => pk.alias).join(', ')}, ` +
            'which the MongoDB sink accepts for Stream Reactor compatibility but ignores: documents get their own _id. Use UPSERT to key them by PK.',
        ]
      : [],
  connect: (config, runtime) => {
    const client = createMongoClient(config);
    runtime.logger.info(
      `Connector ${runtime.connectorName} task ${runtime.taskId}: writing to MongoDB database ${config.database}`,
    );
    return new MongoStore(client, client.db(config.database), runtime.logger, runtime.connectorName);
  },
  close: (store) => store.client.close(),
  prepare: (record, route, config, runtime) => toOperation(record, route, config, runtime.connectorName),
  write: (store, operations) => store.write(operations),
  classify: classifyMongoError,
  // Tombstones reach prepare, which deletes (delete.on.null) or refuses them saying how to delete.
  tombstones: () => 'delete',
  groupKey: (operation) => operation.collection,
  batchSize: (statement) => (statement.batchSize > 0 ? statement.batchSize : DEFAULT_BATCH_SIZE),
  maxInFlight: (config) => config.maxInFlight,
});

export default mongoSinkPlugin;
export { configDef } from './config.js';
export { toOperation, type MongoOperation } from './operations.js';
