import { ConfigException } from '../errors.js';
import { clientPropsFor, withPrefixStripped } from '../kafka/client-config.js';
import type { Subscription } from '../kafka/port.js';

// The sink-only connector keys the engine reads (topics / topics.regex, consumer overrides),
// with Kafka Connect's validation messages.

export function parseSubscription(config: Record<string, string>): Subscription {
  const topics = (config['topics'] ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const regex = (config['topics.regex'] ?? '').trim();
  if (topics.length > 0 && regex !== '') {
    throw new ConfigException(
      undefined,
      'topics and topics.regex are mutually exclusive options, but both are set.',
    );
  }
  if (topics.length > 0) return { topics };
  if (regex === '') throw new ConfigException(undefined, 'Must configure one of topics or topics.regex');
  try {
    // Java's Pattern.matches() semantics: the whole topic name must match.
    return { pattern: new RegExp(`^(?:${regex})$`) };
  } catch (e) {
    throw new ConfigException('topics.regex', `not a valid regular expression: ${(e as Error).message}`);
  }
}

export interface SinkConsumerSettings {
  groupId: string;
  clientId: string;
  overrides: Record<string, string>;
  /** Most records handed to one put() (Kafka's max.poll.records, default 500). */
  maxPollRecords: number;
}

export function sinkConsumerSettings(
  connectorName: string,
  taskId: number,
  taskConfig: Record<string, string>,
  workerClientConfig: Record<string, string>,
): SinkConsumerSettings {
  const overrides = withPrefixStripped(taskConfig, 'consumer.override.');
  const props = clientPropsFor('consumer', workerClientConfig, overrides);
  const raw = props['max.poll.records'] ?? '500';
  const maxPollRecords = Number(raw);
  if (!Number.isInteger(maxPollRecords) || maxPollRecords < 1) {
    throw new ConfigException('max.poll.records', `must be a positive integer, found '${raw}'`);
  }
  return {
    groupId: overrides['group.id'] ?? `connect-${connectorName}`,
    clientId: overrides['client.id'] ?? `connector-consumer-${connectorName}-${taskId}`,
    overrides,
    maxPollRecords,
  };
}

/** The dead letter queue must not feed back into the connector's own input. */
export function checkDlqTopic(subscription: Subscription, dlqTopic: string): void {
  if (dlqTopic === '') return;
  if ('topics' in subscription && subscription.topics.includes(dlqTopic)) {
    throw new ConfigException(
      'errors.deadletterqueue.topic.name',
      `The DLQ topic '${dlqTopic}' may not be included in the list of topics ('topics=${subscription.topics.join(',')}') consumed by the connector`,
    );
  }
  if ('pattern' in subscription && subscription.pattern.test(dlqTopic)) {
    throw new ConfigException(
      'errors.deadletterqueue.topic.name',
      `The DLQ topic '${dlqTopic}' may not be matched by the regex for the topics ('topics.regex=${subscription.pattern.source.slice(4, -2)}') consumed by the connector`,
    );
  }
}
