import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, StandaloneWorker, sleep, uniqueName, waitFor } from '@sluice/test-utils';

// What every MQTT integration test shares: the real servers of test-infra (Kafka, the schema registry,
// Mosquitto), a subscriber that records what the broker delivers, an MQTT topic prefix of its own per
// test, and a way to run one connector in `sluice standalone`.

export interface MqttIt {
  kafka: KafkaTestClient;
  bootstrapServers: string;
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

/** Worker properties for string keys and schemaless JSON values, unless overridden. */
export function workerProps(it: MqttIt, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'bootstrap.servers': it.bootstrapServers,
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    'offset.flush.interval.ms': '1000',
    ...extra,
  };
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

export async function runConnector(
  it: MqttIt,
  connector: Record<string, string>,
  worker: Record<string, string> = {},
): Promise<StandaloneWorker> {
  const running = await StandaloneWorker.start({ worker: workerProps(it, worker), connectors: [connector] });
  try {
    await running.waitUntilRunning(connector['name']!);
  } catch (e) {
    await running.kill();
    throw new Error(`${(e as Error).message}\n--- worker output ---\n${running.output()}`);
  }
  return running;
}

export async function kafkaTopic(it: MqttIt, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await it.kafka.createTopic(name);
  return name;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** test-infra's CLI, as an operator would run it. */
export function infra(command: 'up' | 'down', service: string): void {
  const r = spawnSync('npx', ['tsx', 'test-infra/src/cli.ts', command, service], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`infra ${command} ${service} failed: ${r.stdout}${r.stderr}`);
}
