import { startPrivateInstance } from '@sluice/test-infra';
import { describeSinkConformance } from '@sluice/test-utils/conformance';
import { uniqueName } from '@sluice/test-utils';
import { JmsConsumer, setUpJmsIt, tearDownJmsIt, type JmsIt } from './harness.js';

// The shared sink conformance suite against test-infra's ActiveMQ, read back by a real JMS consumer
// (test-infra's jms-consumer). A queue is a stream: reading consumes, so each target keeps what it has
// received and `read` returns all of it; a redelivery after a crash is a second message (keyedWrites:
// false). Bodies are the JSON the sink sent (WITHFORMAT JSON), parsed.

let env: JmsIt | undefined;
const it = () => env!;

function queueTarget(consumer: () => JmsConsumer, name: string, broker?: string) {
  const received: unknown[] = [];
  return {
    name,
    read: async () => {
      const messages = await consumer().receive({ queue: name }, 1000, 500, broker);
      for (const m of messages) {
        const body = m.body as string;
        try {
          received.push(JSON.parse(body));
        } catch {
          received.push(body);
        }
      }
      return [...received];
    },
  };
}

const queueName = (prefix: string) => uniqueName(`conf.${prefix}`);

describeSinkConformance({
  store: 'ActiveMQ over STOMP (test-infra), read by a Java JMS consumer',
  connectorClass: 'io.lenses.streamreactor.connect.jms.sink.JMSSinkConnector',
  pluginName: 'JMSSinkConnector',
  kcqlKey: 'connect.jms.kcql',
  setUp: async () => (env = await setUpJmsIt()),
  tearDown: () => tearDownJmsIt(env),
  connection: () => ({ 'connect.jms.url': it().stompUrl }),
  target: async (prefix) => queueTarget(() => it().consumer, queueName(prefix)),
  kcql: (target, topic) => `INSERT INTO ${target} SELECT * FROM ${topic} WITHTYPE QUEUE WITHFORMAT JSON`,
  idOf: (doc) => (doc as { id: unknown }).id,
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
    at: v.at,
    ts: v.ts.getTime(), // Timestamp as epoch milliseconds, as Stream Reactor's JSON has it
    tags: [...v.tags],
    attrs: { ...v.attrs },
    nested: { ...v.nested },
    note: null,
  }),
  expectedJson: (_kind, v) => ({ id: v.id, n: v.n, x: v.x, flag: v.flag, inner: { ...v.inner } }),
  keyedWrites: false,
  tombstones: { props: {}, effect: 'ignore' },
  poison: (target, topic) => ({
    kcql: `INSERT INTO ${target} SELECT * FROM ${topic} WITHFORMAT TEXT WITHTYPE QUEUE`,
    good: [JSON.stringify({ id: 1, v: 'ok' }), JSON.stringify({ id: 3, v: 'ok' })].map((t) =>
      JSON.stringify(t),
    ),
    bad: JSON.stringify({ not: 'text' }),
    error: /WITHFORMAT TEXT sends the value as it is/,
  }),
  docsExample: (target, topic) => ({
    // docs.lenses.io, JMS sink, "Example" — with connect.jms.url=stomp://… instead of tcp://activemq:61616.
    connector: {
      name: uniqueName('jms'),
      'connector.class': 'io.lenses.streamreactor.connect.jms.sink.JMSSinkConnector',
      'tasks.max': '1',
      topics: topic,
      'connect.jms.url': it().stompUrl,
      'connect.jms.initial.context.factory': 'org.apache.activemq.jndi.ActiveMQInitialContextFactory',
      'connect.jms.connection.factory': 'ConnectionFactory',
      'connect.jms.kcql': `INSERT INTO ${target} SELECT * FROM ${topic} WITHTYPE QUEUE WITHFORMAT JSON`,
    },
    messages: [{ value: JSON.stringify({ id: 1, item: 'bolt', qty: 3 }) }],
    expected: [{ id: 1, item: 'bolt', qty: 3 }],
  }),
  badKey: { key: 'connect.jms.url', value: 'tcp://localhost:61616' },
  outage: async () => {
    // A broker of its own on its own ports: the shared one is never stopped.
    const broker = await startPrivateInstance('activemq');
    const openwire = broker.info['openwireUrl'] as string;
    return {
      connector: { 'connect.jms.url': broker.info['url'] as string },
      target: async (prefix) => queueTarget(() => it().consumer, queueName(prefix), openwire),
      stop: () => broker.stop(),
      start: () => broker.start(),
      dispose: () => broker.dispose(),
    };
  },
});
