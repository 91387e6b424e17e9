import { createRequire } from 'node:module';
import { DataException, defineStreamReactorSink } from '@sluice/core/sink';
import { KCQL_DOC, PREFIX, SUPPORTED_KCQL, cassandraSettings, configDef } from './config.js';
import { CassandraConnection } from './connection.js';
import { classify } from './errors.js';
import { prepareRow } from './operations.js';
import { compileRoute } from './routes.js';

// The plugin the runtime loads for `connector.class` = `@sluice/sink-cassandra`,
// `CassandraSinkConnector`, or the class name of either Stream Reactor Cassandra sink: the
// DataStax-driver generation (4B) and the legacy JSON sink (4A) share the `connect.cassandra.*` keys.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export const cassandraSinkPlugin = defineStreamReactorSink({
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
  displayName: 'the Cassandra sink',
  prefix: PREFIX,
  configDef,
  kcqlDoc: KCQL_DOC,
  kcql: { supported: SUPPORTED_KCQL },
  settings: cassandraSettings,
  compile: compileRoute,
  connect: (settings, runtime) => new CassandraConnection(settings, runtime),
  close: (connection) => connection.close(),
  // Tombstones reach prepare: each table deletes, ignores or refuses them (PROPERTIES).
  tombstones: () => 'delete',
  prepare: (record, route, settings, runtime) => {
    try {
      return prepareRow(record, route, {
        connectorName: runtime.connectorName,
        legacyDelete: settings.legacyDelete,
      });
    } catch (e) {
      if (e instanceof DataException && settings.ignoreErrors === 'all') {
        runtime.logger.warn(`${e.message} (skipped: ${PREFIX}.ignore.errors.mode=all)`);
        return null;
      }
      throw e;
    }
  },
  write: async (connection, operations, settings) => {
    const refused = await (await connection.open()).write(operations);
    const mode = settings.ignoreErrors;
    return refused.filter((r) => {
      if (mode === 'none' || (mode === 'driver' && r.source !== 'driver')) return true;
      connection.runtime.logger.warn(`${r.error.message} (skipped: ${PREFIX}.ignore.errors.mode=${mode})`);
      return false;
    });
  },
  classify,
});

export default cassandraSinkPlugin;
export { configDef } from './config.js';
