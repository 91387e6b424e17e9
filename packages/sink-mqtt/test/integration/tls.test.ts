import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { ensureServices } from '@sluice/test-infra';
import {
  KafkaTestClient,
  StandaloneWorker,
  kafkaTopic,
  range,
  runConnector,
  sinkWorkerProps,
  uniqueName,
  waitFor,
  type KafkaIt,
} from '@sluice/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// End to end over TLS: real Kafka → `sluice standalone` → test-infra's Mosquitto on its mutual-TLS
// listener (127.0.0.1:8883, client certificate required) → a subscriber that is itself a TLS client.

interface TlsBroker {
  url: string;
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

let env: KafkaIt;
let broker: TlsBroker;
let worker: StandaloneWorker | undefined;
let subscriber: MqttClient | undefined;

beforeAll(async () => {
  const services = await ensureServices(['kafka', 'mosquitto']);
  const bootstrapServers = services['kafka']!['bootstrapServers'] as string;
  env = { kafka: new KafkaTestClient(bootstrapServers), bootstrapServers };
  const m = services['mosquitto']!;
  broker = {
    url: m['tlsUrl'] as string,
    caFile: m['caFile'] as string,
    clientCertFile: m['clientCertFile'] as string,
    clientKeyFile: m['clientKeyFile'] as string,
  };
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await subscriber?.endAsync(true);
  subscriber = undefined;
});
afterAll(async () => {
  await env?.kafka.close();
});

/** Connector properties for `ssl://127.0.0.1:8883` with the given TLS keys (and QoS 1). */
function tlsConnector(topic: string, target: string, tls: Record<string, string>): Record<string, string> {
  return {
    name: uniqueName('mqtt-tls'),
    'connector.class': 'io.lenses.streamreactor.connect.mqtt.sink.MqttSinkConnector',
    'tasks.max': '1',
    topics: topic,
    'connect.mqtt.hosts': broker.url.replace(/^mqtts:/, 'ssl:'),
    'connect.mqtt.service.quality': '1',
    'connect.mqtt.kcql': `INSERT INTO ${target} SELECT * FROM ${topic}`,
    ...tls,
  };
}

const allFiles = () => ({
  'connect.mqtt.ssl.ca.cert': broker.caFile,
  'connect.mqtt.ssl.cert': broker.clientCertFile,
  'connect.mqtt.ssl.key': broker.clientKeyFile,
});

/** Starts the connector and waits until its task FAILED; returns the task's trace. */
async function failedTrace(connector: Record<string, string>): Promise<string> {
  worker = await StandaloneWorker.start({ worker: sinkWorkerProps(env), connectors: [connector] });
  let trace = '';
  await waitFor(
    async () => {
      const task = (await worker!.status(connector.name!)).tasks[0];
      trace = task?.trace ?? '';
      return task?.state === 'FAILED';
    },
    { what: `task of ${connector.name} FAILED`, timeoutMs: 60_000 },
  );
  return trace;
}

describe('MQTT sink over TLS with a client certificate', () => {
  it('ssl:// with CA, client certificate and key: records arrive at a TLS subscriber, in order', async () => {
    const t = await kafkaTopic(env, 'mqtt-tls');
    const target = uniqueName('it/tls');
    const received: string[] = [];
    subscriber = await mqtt.connectAsync(broker.url, {
      clientId: uniqueName('it-tls-sub'),
      ca: readFileSync(broker.caFile),
      cert: readFileSync(broker.clientCertFile),
      key: readFileSync(broker.clientKeyFile),
    });
    subscriber.on('message', (_topic, payload) => received.push(payload.toString('utf8')));
    await subscriber.subscribeAsync(target, { qos: 1 });

    await env.kafka.produce(
      t,
      range(0, 50).map((id) => ({ value: JSON.stringify({ id }) })),
    );
    worker = await runConnector(env, tlsConnector(t, target, allFiles()));
    await waitFor(() => received.length >= 50, { what: '50 messages at the TLS subscriber' });
    expect(received).toEqual(range(0, 50).map((id) => `{"id":${id}}`));
    expect(worker.output()).toMatch(/publishing to MQTT mqtts:\/\/127\.0\.0\.1:8883/);
  });

  it('without a client certificate the broker refuses the handshake: the first batch fails the task, naming the TLS alert', async () => {
    const t = await kafkaTopic(env, 'mqtt-tls-nocert');
    await env.kafka.produce(t, [{ value: JSON.stringify({ id: 1 }) }]);
    const trace = await failedTrace(
      tlsConnector(t, uniqueName('it/tls'), {
        'connect.mqtt.ssl.ca.cert': broker.caFile,
        'connect.mqtt.timeout': '2000',
      }),
    );
    expect(trace).toMatch(
      /no connection to the MQTT broker \(mqtts:\/\/127\.0\.0\.1:8883\) for 2000 ms with 1 of 1 messages of the batch not acknowledged \(last error: .*alert certificate required/,
    );
    expect(worker!.output()).toMatch(/MQTT connection error: .*alert certificate required/);
  });

  it('without the CA that signed the broker certificate the client refuses the broker: the task fails naming it', async () => {
    const t = await kafkaTopic(env, 'mqtt-tls-noca');
    await env.kafka.produce(t, [{ value: JSON.stringify({ id: 1 }) }]);
    const trace = await failedTrace(
      tlsConnector(t, uniqueName('it/tls'), {
        'connect.mqtt.ssl.cert': broker.clientCertFile,
        'connect.mqtt.ssl.key': broker.clientKeyFile,
        'connect.mqtt.timeout': '2000',
      }),
    );
    expect(trace).toMatch(/\(last error: self-signed certificate in certificate chain\)/);
    expect(trace).toMatch(/accepts this client's credentials and certificate/);
  });
});
