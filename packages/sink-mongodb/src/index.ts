import { createRequire } from 'node:module';
import { validateKcql, type SinkPlugin } from '@sluice/core/sink';
import { KCQL_KEY, SUPPORTED_KCQL, configDef } from './config.js';
import { MongoSinkTask, checkPrimaryKeys } from './task.js';

// The plugin object the runtime loads for `connector.class` = `@sluice/sink-mongodb`,
// `MongoSinkConnector` or either Stream Reactor class name.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export const mongoSinkPlugin: SinkPlugin = {
  name: '@sluice/sink-mongodb',
  version,
  className: 'MongoSinkConnector',
  aliases: [
    'io.lenses.streamreactor.connect.mongodb.sink.MongoSinkConnector',
    'com.datamountaineer.streamreactor.connect.mongodb.sink.MongoSinkConnector',
  ],
  type: 'sink',
  configDef,
  validate: (config) => validateKcql(config, KCQL_KEY, SUPPORTED_KCQL, 'the MongoDB sink', checkPrimaryKeys),
  createTask: () => new MongoSinkTask(),
};

export default mongoSinkPlugin;
export { configDef } from './config.js';
export { MongoSinkTask } from './task.js';
export { toOperation, type MongoOperation } from './operations.js';
