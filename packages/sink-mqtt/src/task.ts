import type { MqttClient } from 'mqtt';
import {
  putRouted,
  streamReactorTaskTools,
  type ErrorPolicy,
  type KcqlRouter,
  type KcqlStatement,
  type ProgressCounter,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
} from '@sluice/core/sink';
import { clientIdFor, closeMqttClient, createMqttClient } from './client.js';
import { PREFIX, configDef, mqttSinkConfig, type MqttSinkConfig } from './config.js';
import { toMessage, type MessageOptions } from './messages.js';
import { Publisher, type PendingPublish } from './publisher.js';
import { mqttRoutes, type MqttRoute } from './routes.js';

export class MqttSinkTask implements SinkTask {
  private context!: SinkTaskContext;
  private router!: KcqlRouter;
  private routes!: Map<KcqlStatement, MqttRoute>;
  private config!: MqttSinkConfig;
  private messageOptions!: MessageOptions;
  private errorPolicy!: ErrorPolicy;
  private progress: ProgressCounter | null = null;
  private client: MqttClient | null = null;
  private publisher!: Publisher;

  async start(props: Record<string, string>, context: SinkTaskContext): Promise<void> {
    this.context = context;
    const parsed = configDef.parse(props);
    this.config = mqttSinkConfig(parsed);
    ({ router: this.router, routes: this.routes } = mqttRoutes(props));
    ({ errorPolicy: this.errorPolicy, progress: this.progress } = streamReactorTaskTools(
      parsed,
      PREFIX,
      context,
    ));
    this.messageOptions = {
      connectorName: context.connectorName,
      qos: this.config.qos,
      retained: this.config.retained,
      tombstoneClearsRetained: this.config.tombstoneClearsRetained,
    };

    const describe = `Connector ${context.connectorName} task ${context.taskId}`;
    const clientId = clientIdFor(this.config, context.connectorName, context.taskId);
    const brokers = this.config.hosts.map((h) => `${h.protocol}://${h.host}:${h.port}`).join(', ');
    // The client connects in the background: a broker that is down at start is handled by the error
    // policy like one that goes down later.
    const { client, events } = createMqttClient(this.config, clientId, context.logger, describe);
    this.client = client;
    this.publisher = new Publisher(client, {
      connectorName: context.connectorName,
      maxInFlight: this.config.maxInFlight,
      timeoutMs: this.config.timeoutMs,
      brokers,
      lastConnectionError: events.lastError,
    });
    context.logger.info(
      `${describe}: publishing to MQTT ${brokers} as client ${clientId} with QoS ${this.config.qos} ` +
        `(${this.router.statements.map((s) => `${s.source} → ${s.target}`).join(', ')})`,
    );
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    await putRouted(this.errorPolicy, this.context, records, {
      routes: (topic) => this.router.routes(topic),
      prepare: (record, statement): PendingPublish | null => {
        const message = toMessage(record, this.routes.get(statement)!, this.messageOptions);
        if (message) return { record, message };
        this.logSkippedTombstone(record);
        return null;
      },
      write: (batch) => this.publisher.publish(batch),
    });
    this.progress?.update(records);
  }

  async stop(): Promise<void> {
    this.progress?.clear();
    this.publisher?.abort('the task is stopping; the batch in progress is not acknowledged.');
    const client = this.client;
    this.client = null;
    if (client) await closeMqttClient(client, this.config.timeoutMs);
  }

  private logSkippedTombstone(record: SinkRecord): void {
    this.context.logger.debug(
      `Connector ${this.context.connectorName}: skipped the tombstone at topic ${record.topic} partition ` +
        `${record.kafkaPartition} offset ${record.kafkaOffset} (set connect.mqtt.tombstone.clears.retained=true to clear the retained message of its target).`,
    );
  }
}
