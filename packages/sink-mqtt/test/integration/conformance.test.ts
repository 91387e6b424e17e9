import { connectJson, uniqueName } from '@sluice/test-utils';
import { describeSinkConformance, type ConformanceTarget } from '@sluice/test-utils/conformance';
import { Subscriber, setUpMqttIt, tearDownMqttIt, type MqttIt } from './harness.js';

// The shared sink conformance suite against test-infra's Mosquitto. What the store "holds" is what a
// subscriber (QoS 1) received on the target topic and below it, each payload parsed as JSON.

let env: MqttIt | undefined;
const it = () => env!;

async function subscribed(name: string): Promise<ConformanceTarget> {
  const sub = await Subscriber.start(it().mqttUrl, `${name}/#`);
  return {
    name,
    read: async () => sub.messages.map((m) => JSON.parse(m.payload.toString('utf8')) as unknown),
    close: () => sub.close(),
  };
}

describeSinkConformance({
  store: 'MQTT (test-infra: Mosquitto)',
  connectorClass: 'io.lenses.streamreactor.connect.mqtt.sink.MqttSinkConnector',
  pluginName: 'MqttSinkConnector',
  kcqlKey: 'connect.mqtt.kcql',
  setUp: async () => (env = await setUpMqttIt()),
  tearDown: () => tearDownMqttIt(env),
  connection: () => ({
    'connect.mqtt.hosts': it().mqttUrl.replace(/^mqtt:/, 'tcp:'),
    'connect.mqtt.service.quality': '1',
  }),
  target: (prefix) => subscribed(prefix === 'docs' ? '/lenses/orders' : uniqueName(`conformance/${prefix}`)),
  kcql: (target, topic) => `INSERT INTO ${target} SELECT * FROM ${topic}`,
  idOf: (doc) => (doc as { id: unknown }).id,
  // The payload mapping of the README: exact numbers, base64 bytes, Timestamp as epoch millis, Date and
  // Time as ISO-8601 text.
  expectedAllTypes: (v) => ({
    id: v.id,
    i32: v.i32,
    i64: v.i64,
    f32: v.f32,
    f64: v.f64,
    flag: v.flag,
    text: v.text,
    raw: v.raw.toString('base64'),
    price: Number(v.price.text),
    day: v.day.toISOString(),
    at: new Date(v.at).toISOString(),
    ts: v.ts.getTime(),
    tags: [...v.tags],
    attrs: { ...v.attrs },
    nested: { ...v.nested },
    note: null,
  }),
  expectedJson: (_kind, v) => ({ ...v, inner: { ...v.inner } }),
  keyedWrites: false,
  tombstones: { props: {}, effect: 'ignore' },
  poison: (target, topic) => ({
    kcql: `INSERT INTO to SELECT * FROM ${topic} PROPERTIES('mqtt.target.from.field'='true')`,
    good: [JSON.stringify({ to: `${target}/1`, id: 1 }), JSON.stringify({ to: `${target}/3`, id: 3 })],
    bad: JSON.stringify({ id: 2 }),
    error: /field 'to'/,
  }),
  docsExample: (target, topic) => ({
    // docs.lenses.io/connectors/sink/mqtt, "Example": only the broker address and the Kafka topic differ.
    connector: {
      name: uniqueName('mqtt'),
      'connector.class': 'io.lenses.streamreactor.connect.mqtt.sink.MqttSinkConnector',
      'tasks.max': '1',
      topics: topic,
      'connect.mqtt.hosts': it().mqttUrl.replace(/^mqtt:/, 'tcp:'),
      'connect.mqtt.clean': 'true',
      'connect.mqtt.timeout': '1000',
      'connect.mqtt.keep.alive': '1000',
      'connect.mqtt.service.quality': '1',
      'connect.mqtt.client.id': 'dm_sink_id',
      'connect.mqtt.kcql': `INSERT INTO ${target} SELECT * FROM ${topic}`,
    },
    messages: [
      {
        value: connectJson(
          {
            type: 'struct',
            optional: false,
            fields: [
              { field: 'id', type: 'int32', optional: false },
              { field: 'item', type: 'string', optional: false },
            ],
          },
          { id: 1, item: 'tea' },
        ),
      },
    ],
    expected: [{ id: 1, item: 'tea' }],
    worker: { 'value.converter.schemas.enable': 'true' },
  }),
  badKey: { key: 'connect.mqtt.service.quality', value: '3' },
  unsupported: {
    'outage-under-retry':
      "a subscriber on the restarted broker can miss QoS 1 messages the sink publishes before the subscriber's own resubscription, so what arrived cannot be read back as the store's content; mqtt-sink.test.ts covers the outage on a private Mosquitto with one retained topic per record",
  },
});
