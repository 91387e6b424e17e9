import mqtt, { type MqttClient } from 'mqtt';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, sleep, uniqueName, waitFor, type KafkaIt } from '@sluice/test-utils';

// What every MQTT integration test shares: the real servers of test-infra (Kafka, the schema registry,
// Mosquitto), a subscriber that records what the broker delivers, an MQTT topic prefix of its own per
// test, and this sink's connector properties (runConnector, kafkaTopic, infra… come from
// @sluice/test-utils).

export interface MqttIt extends KafkaIt {
  registryUrl: string;
  mqttUrl: string;
}

export async function setUpMqttIt(): Promise<MqttIt> {
  const services = await ensureServices(['kafka', 'schema-registry', 'mosquitto']);
  const bootstrapServers = services['kafka']!['bootstrapServers'] as string;
  return {
    kafka: new KafkaTestClient(bootstrapServers),
    bootstrapServers,
    registryUrl: services['schema-registry']!['url'] as string,
    mqttUrl: services['mosquitto']!['url'] as string,
  };
}

export async function tearDownMqttIt(it: MqttIt | undefined): Promise<void> {
  await it?.kafka.close();
}

export interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
  qos: number;
}

/**
 * Subscribes to `filter` and keeps every message. Its session survives broker restarts only as far as
 * Mosquitto's (non-persistent) test config allows: after a restart it subscribes again.
 */
export class Subscriber {
  readonly messages: Received[] = [];

  private constructor(private readonly client: MqttClient) {}

  static async start(url: string, filter: string, qos: 0 | 1 | 2 = 1): Promise<Subscriber> {
    const client = await mqtt.connectAsync(url, {
      clientId: uniqueName('it-sub'),
      reconnectPeriod: 500,
      resubscribe: true,
    });
    const sub = new Subscriber(client);
    client.on('message', (topic, payload, packet) =>
      sub.messages.push({ topic, payload, retain: packet.retain, qos: packet.qos }),
    );
    await client.subscribeAsync(filter, { qos });
    return sub;
  }

  async waitForCount(n: number, timeoutMs = 60_000): Promise<Received[]> {
    await waitFor(() => this.messages.length >= n, {
      what: `${n} MQTT messages (have ${this.messages.length})`,
      timeoutMs,
    });
    return this.messages;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** The retained messages under `filter` now: what a new subscriber is sent at once. */
export async function retainedMessages(url: string, filter: string): Promise<Received[]> {
  const probe = await Subscriber.start(url, filter);
  await sleep(500);
  await probe.close();
  return probe.messages.filter((m) => m.retain);
}

/** Connector properties for this sink reading `topic`. */
export function mqttConnector(
  it: MqttIt,
  name: string,
  topic: string,
  kcql: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    name,
    'connector.class': 'io.lenses.streamreactor.connect.mqtt.sink.MqttSinkConnector',
    'tasks.max': '1',
    topics: topic,
    'connect.mqtt.hosts': it.mqttUrl.replace(/^mqtt:/, 'tcp:'),
    'connect.mqtt.service.quality': '1',
    'connect.mqtt.kcql': kcql,
    ...extra,
  };
}
