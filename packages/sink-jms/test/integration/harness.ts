import { ensureServices } from '@sluice/test-infra';
import { KafkaTestClient, type KafkaIt } from '@sluice/test-utils';

// What every JMS integration test shares: the real servers of test-infra (Kafka, the schema registry,
// ActiveMQ with its STOMP connector) and test-infra's jms-consumer, a Java program that reads the
// destinations with ActiveMQ's own JMS client (OpenWire) — so the tests see what a Java application
// receives: the JMS message type, body and properties.

export interface JmsIt extends KafkaIt {
  registryUrl: string;
  /** The broker's STOMP URL (what the sink connects to). */
  stompUrl: string;
  /** The broker's OpenWire URL (what the Java consumer connects to). */
  openwireUrl: string;
  consumer: JmsConsumer;
}

export async function setUpJmsIt(): Promise<JmsIt> {
  const services = await ensureServices(['kafka', 'schema-registry', 'activemq', 'jms-consumer']);
  const bootstrapServers = services['kafka']!['bootstrapServers'] as string;
  const openwireUrl = services['activemq']!['openwireUrl'] as string;
  return {
    kafka: new KafkaTestClient(bootstrapServers),
    bootstrapServers,
    registryUrl: services['schema-registry']!['url'] as string,
    stompUrl: services['activemq']!['url'] as string,
    openwireUrl,
    consumer: new JmsConsumer(services['jms-consumer']!['url'] as string, openwireUrl),
  };
}

export async function tearDownJmsIt(it: JmsIt | undefined): Promise<void> {
  await it?.kafka.close();
}

/** A typed value as the Java consumer prints it: the Java class's simple name and the value (Longs as text). */
export interface Typed {
  type: string;
  value: unknown;
}

/** One message as the Java JMS consumer received it. */
export interface JmsMessage {
  type: 'TextMessage' | 'BytesMessage' | 'MapMessage' | 'ObjectMessage' | 'StreamMessage' | 'Message';
  class: string;
  destination: string;
  jmsType: string | null;
  correlationId: string | null;
  messageId: string;
  priority: number;
  deliveryMode: number;
  properties: Record<string, Typed>;
  /** Text, `{ base64 }` for bytes, typed entries for a map. */
  body: unknown;
}

/** test-infra's jms-consumer (HTTP in front of a real JMS consumer). */
export class JmsConsumer {
  constructor(
    private readonly url: string,
    private readonly broker: string,
  ) {}

  /** Registers a durable subscription on a JMS topic: messages sent from now on wait for `receive`. */
  async subscribe(topic: string, subscription: string, broker = this.broker): Promise<void> {
    await this.call('POST', 'subscribe', { broker, topic, subscription });
  }

  /** Up to `count` messages of a queue, or of a topic's durable subscription (consumed). */
  async receive(
    from: { queue: string } | { topic: string; subscription: string },
    count: number,
    timeoutMs = 30_000,
    broker = this.broker,
  ): Promise<JmsMessage[]> {
    const text = await this.call('GET', 'receive', {
      broker,
      ...from,
      count: String(count),
      timeoutMs: String(timeoutMs),
    });
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as JmsMessage);
  }

  private async call(method: string, path: string, query: Record<string, string>): Promise<string> {
    const response = await fetch(`${this.url}/${path}?${new URLSearchParams(query).toString()}`, { method });
    const text = await response.text();
    if (!response.ok) throw new Error(`jms-consumer ${path}: ${response.status} ${text}`);
    return text;
  }
}

/** Connector properties for this sink reading `topic`, as a Stream Reactor user writes them (STOMP URL). */
export function jmsConnector(
  it: JmsIt,
  name: string,
  topic: string,
  kcql: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    name,
    'connector.class': 'io.lenses.streamreactor.connect.jms.sink.JMSSinkConnector',
    'tasks.max': '1',
    topics: topic,
    'connect.jms.url': it.stompUrl,
    'connect.jms.kcql': kcql,
    ...extra,
  };
}

/** The bytes of a BytesMessage body. */
export function bytesOf(message: JmsMessage): Buffer {
  return Buffer.from((message.body as { base64: string }).base64, 'base64');
}
