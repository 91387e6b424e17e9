import { createRequire } from 'node:module';
import type { MqttClient } from 'mqtt';
import { defineStreamReactorSink } from '@sluice/core/sink';
import { clientIdFor, closeMqttClient, createMqttClient } from './client.js';
import {
  CLIENT_ID,
  KCQL_DOC,
  KCQL_SUPPORT,
  PREFIX,
  configDef,
  mqttSinkConfig,
  type MqttSinkConfig,
} from './config.js';
import { toMessage } from './messages.js';
import { Publisher, type PendingPublish } from './publisher.js';
import { compileRoute, type MqttRoute } from './routes.js';

// The plugin the runtime loads for `connector.class` = `@sluice/sink-mqtt`, `MqttSinkConnector` or
// either Stream Reactor class name: keys and settings (config.ts), KCQL routes (routes.ts), record →
// message (messages.ts), publishing with an acknowledged window (publisher.ts); the kit does the rest.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

interface MqttConnection {
  readonly client: MqttClient;
  readonly publisher: Publisher;
  readonly timeoutMs: number;
}

/** As Stream Reactor: with several tasks and a configured client id, task n (1-based) uses `<id>-<n>`. */
export function mqttTaskConfigs(config: Record<string, string>, maxTasks: number): Record<string, string>[] {
  const clientId = config[CLIENT_ID]?.trim() ?? '';
  return Array.from({ length: maxTasks }, (_, i) =>
    maxTasks > 1 && clientId !== '' ? { ...config, [CLIENT_ID]: `${clientId}-${i + 1}` } : { ...config },
  );
}

export const mqttSinkPlugin = defineStreamReactorSink<
  MqttSinkConfig,
  MqttRoute,
  MqttConnection,
  PendingPublish
>({
  name: '@sluice/sink-mqtt',
  version,
  className: 'MqttSinkConnector',
  aliases: [
    'io.lenses.streamreactor.connect.mqtt.sink.MqttSinkConnector',
    'com.datamountaineer.streamreactor.connect.mqtt.sink.MqttSinkConnector',
  ],
  displayName: 'the MQTT sink',
  prefix: PREFIX,
  configDef,
  kcqlDoc: KCQL_DOC,
  kcql: KCQL_SUPPORT,
  settings: (parsed) => mqttSinkConfig(parsed),
  compile: (statement) => compileRoute(statement),
  connect: (config, runtime) => {
    const describe = `Connector ${runtime.connectorName} task ${runtime.taskId}`;
    const clientId = clientIdFor(config, runtime.connectorName, runtime.taskId);
    const brokers = config.hosts.map((h) => `${h.protocol}://${h.host}:${h.port}`).join(', ');
    // The client connects in the background: a broker that is down at start is handled by the error
    // policy like one that goes down later.
    const { client, events } = createMqttClient(config, clientId, runtime.logger, describe);
    const publisher = new Publisher(client, {
      connectorName: runtime.connectorName,
      maxInFlight: config.maxInFlight,
      timeoutMs: config.timeoutMs,
      brokers,
      lastConnectionError: () => events.lastError(),
    });
    runtime.logger.info(
      `${describe}: publishing to MQTT ${brokers} as client ${clientId} with QoS ${config.qos}`,
    );
    return { client, publisher, timeoutMs: config.timeoutMs };
  },
  close: async ({ client, publisher, timeoutMs }) => {
    publisher.abort('the task is stopping; the batch in progress is not acknowledged.');
    await closeMqttClient(client, timeoutMs);
  },
  prepare: (record, route, config, runtime) => {
    const message = toMessage(record, route, {
      connectorName: runtime.connectorName,
      qos: config.qos,
      retained: config.retained,
      tombstoneClearsRetained: config.tombstoneClearsRetained,
    });
    return message && { record, message };
  },
  write: async ({ publisher }, items) => await publisher.publish(items),
  // A tombstone clears the retained message of its target (tombstone.clears.retained), or is skipped.
  tombstones: (config) => (config.tombstoneClearsRetained ? 'delete' : 'ignore'),
  // One publish at a time: the publisher keeps its own window of unacknowledged messages across statements.
  groupKey: () => 0,
  taskConfigs: mqttTaskConfigs,
});

export default mqttSinkPlugin;
export { configDef } from './config.js';
export { toMessage, type MqttMessage } from './messages.js';
