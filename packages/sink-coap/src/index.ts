import { createRequire } from 'node:module';
import { ConfigException, validateKcql, type ConfigValue, type SinkPlugin } from '@sluice/core';
import { KCQL_KEY, URI, coapSinkConfig } from './config.js';
import { SUPPORTED_KCQL, compileRoute } from './requests.js';
import { CoapSinkTask, configDef } from './task.js';

// The plugin object the runtime loads for `connector.class` = `@sluice/sink-coap`, `CoapSinkConnector`
// or the Stream Reactor class name.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export const coapSinkPlugin: SinkPlugin = {
  name: '@sluice/sink-coap',
  version,
  className: 'CoapSinkConnector',
  aliases: ['com.datamountaineer.streamreactor.connect.coap.sink.CoapSinkConnector'],
  type: 'sink',
  configDef,
  validate: (config) => {
    const errors = validateKcql(config, KCQL_KEY, SUPPORTED_KCQL, 'the CoAP sink', (s) => compileRoute(s, 0));
    let parsed: Record<string, ConfigValue>;
    try {
      parsed = configDef.parse(config);
    } catch {
      return errors; // single-key errors: the runtime reports them from the ConfigDef
    }
    try {
      coapSinkConfig(parsed);
    } catch (e) {
      if (!(e instanceof ConfigException)) throw e;
      const key = e.key ?? URI;
      errors[key] = [...(errors[key] ?? []), e.message];
    }
    return errors;
  },
  createTask: () => new CoapSinkTask(),
};

export default coapSinkPlugin;
export { configDef, CoapSinkTask } from './task.js';
export { toRequest, type CoapRequest } from './requests.js';
