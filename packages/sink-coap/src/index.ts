import { createRequire } from 'node:module';
import { defineStreamReactorSink } from '@sluice/core/sink';
import { CoapClient } from './client.js';
import { PREFIX, coapSinkConfig, defineCoapKeys } from './config.js';
import { KCQL_SUPPORT, compileRoute, resourceText, toRequest } from './requests.js';
import { classifyCoapError, sendInOrder } from './writer.js';

// The plugin object the runtime loads for `connector.class` = `@sluice/sink-coap`, `CoapSinkConnector`
// or the Stream Reactor class name. Operations are grouped by resource: each group is written in
// record order by one write (no BATCH clause: the kit writes a whole group at once), and up to
// connect.coap.max.in.flight groups run at once.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export const coapSinkPlugin = defineStreamReactorSink({
  name: '@sluice/sink-coap',
  version,
  className: 'CoapSinkConnector',
  aliases: ['com.datamountaineer.streamreactor.connect.coap.sink.CoapSinkConnector'],
  displayName: 'the CoAP sink',
  prefix: PREFIX,
  configDef: defineCoapKeys(),
  kcqlDoc:
    'KCQL statements: `INSERT INTO <resource path>|_key|_value.<field>|_header.<name> SELECT <fields>|* FROM <topic> [IGNORE …]`, separated by `;`.',
  kcql: KCQL_SUPPORT,
  settings: coapSinkConfig,
  compile: (statement) => compileRoute(statement),
  connect: (settings) => CoapClient.open(settings),
  close: (client) => client.close(),
  prepare: (record, route, settings, runtime) => toRequest(record, route, settings, runtime.connectorName),
  write: (client, requests) => sendInOrder(client, requests),
  classify: classifyCoapError,
  tombstones: (settings) => settings.tombstones,
  groupKey: (request) => resourceText(request.resource),
  maxInFlight: (settings) => settings.maxInFlight,
});

export default coapSinkPlugin;
export { defineCoapKeys } from './config.js';
export { toRequest, type CoapRequest } from './requests.js';
