import { createRequire } from 'node:module';
import { ConfigException, type SinkPlugin } from '@sluice/core';
import { KCQL_KEY, cassandraSettings, configDef, refusedKeys } from './config.js';
import { CassandraSinkTask, cassandraRoutes } from './task.js';

// The plugin object the runtime loads for `connector.class` = `@sluice/sink-cassandra`,
// `CassandraSinkConnector`, or the class name of either Stream Reactor Cassandra sink.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export const cassandraSinkPlugin: SinkPlugin = {
  name: '@sluice/sink-cassandra',
  version,
  className: 'CassandraSinkConnector',
  aliases: [
    // 4B, the DataStax-driver generation
    'io.lenses.streamreactor.connect.cassandra.CassandraSinkConnector',
    // 4A, the legacy JSON sink
    'io.lenses.streamreactor.connect.cassandra.sink.CassandraSinkConnector',
    'com.datamountaineer.streamreactor.connect.cassandra.sink.CassandraSinkConnector',
  ],
  type: 'sink',
  configDef,
  validate: (config) => {
    const refused = refusedKeys(config);
    if (Object.keys(refused).length > 0) return refused;
    try {
      cassandraRoutes(config, cassandraSettings(configDef.parse(config), config));
      return {};
    } catch (e) {
      if (!(e instanceof ConfigException)) throw e;
      return { [e.key ?? KCQL_KEY]: [e.message] };
    }
  },
  createTask: () => new CassandraSinkTask(),
};

export default cassandraSinkPlugin;
export { configDef } from './config.js';
export { CassandraSinkTask } from './task.js';
