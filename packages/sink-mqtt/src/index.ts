import { createRequire } from 'node:module';
import { ConfigException, type SinkPlugin } from '@sluice/core/sink';
import { CLIENT_ID, KCQL_KEY, configDef } from './config.js';
import { mqttRoutes } from './routes.js';
import { MqttSinkTask } from './task.js';

// The plugin object the runtime loads for `connector.class` = `@sluice/sink-mqtt`, `MqttSinkConnector`
// or either Stream Reactor class name.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** As Stream Reactor: with several tasks and a configured client id, task n (1-based) uses `<id>-<n>`. */
export function mqttTaskConfigs(config: Record<string, string>, maxTasks: number): Record<string, string>[] {
  const clientId = config[CLIENT_ID]?.trim() ?? '';
  return Array.from({ length: maxTasks }, (_, i) =>
    maxTasks > 1 && clientId !== '' ? { ...config, [CLIENT_ID]: `${clientId}-${i + 1}` } : { ...config },
  );
}

/** The checks the task runs at start, reported against the key at fault (REST config/validate). */
export function validateMqttConfig(config: Record<string, string>): Record<string, string[]> {
  try {
    mqttRoutes(config);
    return {};
  } catch (e) {
    if (!(e instanceof ConfigException)) throw e;
    return { [e.key ?? KCQL_KEY]: [e.message] };
  }
}

export const mqttSinkPlugin: SinkPlugin = {
  name: '@sluice/sink-mqtt',
  version,
  className: 'MqttSinkConnector',
  aliases: [
    'io.lenses.streamreactor.connect.mqtt.sink.MqttSinkConnector',
    'com.datamountaineer.streamreactor.connect.mqtt.sink.MqttSinkConnector',
  ],
  type: 'sink',
  configDef,
  validate: validateMqttConfig,
  taskConfigs: mqttTaskConfigs,
  createTask: () => new MqttSinkTask(),
};

export default mqttSinkPlugin;
export { configDef } from './config.js';
export { MqttSinkTask } from './task.js';
export { toMessage, type MqttMessage } from './messages.js';
