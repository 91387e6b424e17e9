import { uniqueName, type KafkaTestClient } from './kafka.js';
import { StandaloneWorker } from './standalone.js';

// What every sink's end-to-end tests share: the worker properties they start from, one connector run in
// `sluice standalone`, a fresh Kafka topic, and the Avro record schema the tests register. (An outage test
// stops a private server of its own: `startPrivateInstance` of @sluice/test-infra.)

/** The real Kafka of test-infra, as a sink's integration harness holds it. */
export interface KafkaIt {
  kafka: KafkaTestClient;
  bootstrapServers: string;
}

/** Worker properties for string keys and schemaless JSON values, unless overridden. */
export function sinkWorkerProps(it: KafkaIt, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'bootstrap.servers': it.bootstrapServers,
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    'offset.flush.interval.ms': '1000',
    ...extra,
  };
}

/** Starts `connector` alone in a standalone worker and waits until it runs; the error carries the worker's output. */
export async function runConnector(
  it: KafkaIt,
  connector: Record<string, string>,
  worker: Record<string, string> = {},
): Promise<StandaloneWorker> {
  const running = await StandaloneWorker.start({
    worker: sinkWorkerProps(it, worker),
    connectors: [connector],
  });
  try {
    await running.waitUntilRunning(connector['name']!);
  } catch (e) {
    await running.kill();
    throw new Error(`${(e as Error).message}\n--- worker output ---\n${running.output()}`);
  }
  return running;
}

/** Creates a topic named `<prefix>-<unique>` and returns its name. */
export async function kafkaTopic(it: KafkaIt, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await it.kafka.createTopic(name);
  return name;
}

/** The integers from `from` (included) to `to` (excluded). */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** An Avro record with every kind of field a sink maps: long, timestamp, bytes, nested record, array, map, optional. */
export const readingAvroSchema = {
  type: 'record',
  name: 'Reading',
  namespace: 'sluice.it',
  fields: [
    { name: 'sensorID', type: 'string' },
    { name: 'count', type: 'long' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'raw', type: 'bytes' },
    {
      name: 'location',
      type: {
        type: 'record',
        name: 'Location',
        fields: [
          { name: 'lat', type: 'double' },
          { name: 'lon', type: 'double' },
        ],
      },
    },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'attrs', type: { type: 'map', values: 'int' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
} as const;

/** Three schemaless JSON values with a nested object and a long beyond 2^32, for the select-list tests. */
export function pumpMessages(): { value: string }[] {
  return [1, 2, 3].map((i) => ({
    value: JSON.stringify({
      id: i,
      name: `pump-${i}`,
      big: 5_000_000_000 + i,
      location: { lat: 50 + i, lon: i },
      drop: true,
    }),
  }));
}
