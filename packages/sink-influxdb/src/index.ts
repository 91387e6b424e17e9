import { createRequire } from 'node:module';
import { ConfigException, type SinkPlugin } from '@sluice/core';
import { configDef, influxSinkConfig } from './config.js';
import { InfluxSinkTask, influxRoutes } from './task.js';

// The plugin object the runtime loads for `connector.class` = `@sluice/sink-influxdb`,
// `InfluxSinkConnector` or either Stream Reactor class name.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export const influxSinkPlugin: SinkPlugin = {
  name: '@sluice/sink-influxdb',
  version,
  className: 'InfluxSinkConnector',
  aliases: [
    'io.lenses.streamreactor.connect.influx.InfluxSinkConnector',
    'com.datamountaineer.streamreactor.connect.influx.InfluxSinkConnector',
  ],
  type: 'sink',
  configDef,
  validate: (config) => {
    try {
      influxSinkConfig(configDef.parse(config), config);
      influxRoutes(config);
      return {};
    } catch (e) {
      if (!(e instanceof ConfigException)) throw e;
      return { [e.key ?? 'connect.influx.kcql']: [e.message] };
    }
  },
  createTask: () => new InfluxSinkTask(),
};

export default influxSinkPlugin;
export { configDef } from './config.js';
export { InfluxSinkTask } from './task.js';
