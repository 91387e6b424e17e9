import { createRequire } from 'node:module';
import { defineStreamReactorSink } from '@sluice/core/sink';
import { PREFIX, SUPPORTED_KCQL, configDef, rethinkSettings } from './config.js';
import { compileRoute, toOperation } from './documents.js';
import { RethinkStore, classifyRethinkError } from './store.js';

// The plugin the runtime loads for `connector.class` = `@sluice/sink-rethinkdb`, `ReThinkSinkConnector`
// or Stream Reactor's class name.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export const rethinkSinkPlugin = defineStreamReactorSink({
  name: '@sluice/sink-rethinkdb',
  version,
  className: 'ReThinkSinkConnector',
  aliases: [
    'com.datamountaineer.streamreactor.connect.rethink.sink.ReThinkSinkConnector',
    'io.lenses.streamreactor.connect.rethink.sink.ReThinkSinkConnector',
  ],
  displayName: 'the RethinkDB sink',
  prefix: PREFIX,
  configDef,
  kcqlDoc:
    "KCQL statements: `INSERT|UPSERT INTO <table> SELECT <fields>|* FROM <topic> [IGNORE …] [AUTOCREATE] [PK …] [BATCH = n] [PROPERTIES('conflict'='update')]`, separated by `;`.",
  kcql: { supported: SUPPORTED_KCQL },
  settings: (parsed) => rethinkSettings(parsed),
  compile: (statement) => compileRoute(statement),
  connect: async (settings, runtime) => {
    const store = new RethinkStore(settings, runtime);
    // Fail the start on what cannot get better by waiting (auth, TLS); a server that is down now is
    // the error policy's, at the first write.
    await store.connect().catch((e: unknown) => {
      if (classifyRethinkError(e) === 'fatal') throw e;
      runtime.logger.warn(
        `Connector ${runtime.connectorName}: RethinkDB is not reachable yet (${(e as Error).message}); writes will retry per the error policy`,
      );
    });
    return store;
  },
  close: (store) => store.close(),
  prepare: (record, route, _settings, runtime) => toOperation(record, route, runtime.connectorName),
  write: (store, operations) => store.write(operations),
  classify: classifyRethinkError,
  tombstones: (settings) => (settings.deleteOnNull ? 'delete' : 'fail'),
  batchSize: (statement, settings) => (statement.batchSize > 0 ? statement.batchSize : settings.batchSize),
  // The kit's write pipeline keeps max.in.flight queries writing across puts, so that the worker
  // converts and prepares the next records while RethinkDB writes; offsets are committed only for what
  // RethinkDB acknowledged, and a query waits for an earlier one still writing one of its documents.
  maxInFlight: (settings) => settings.maxInFlight,
  pipeline: {
    maxInFlightBatches: (settings) => settings.maxInFlight,
    orderingKey: (operation) => `${operation.route.table}\u0000${operation.id}`,
  },
});

export default rethinkSinkPlugin;
export { configDef } from './config.js';
export { toOperation, compileRoute, rethinkValueHooks, type RethinkOperation } from './documents.js';
