import { createRequire } from 'node:module';
import { defineStreamReactorSink, type SinkRuntime } from '@sluice/core/sink';
import { PREFIX, configDef, jmsSettings, jndiNotice, type JmsSettings } from './config.js';
import { toStompMessage, type PreparedMessage } from './messages.js';
import { compileRoute, type JmsRoute } from './routes.js';
import { BrokerLoginRefused, BrokerUnavailable, DestinationRefused, StompSession } from './stomp-session.js';
import { writeMessages } from './writer.js';

// The plugin object the runtime loads for `connector.class` = `@sluice/sink-jms`, `JMSSinkConnector`
// or either Stream Reactor class name: Stream Reactor's JMS sink, speaking STOMP to the broker.

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

interface JmsConnection {
  readonly session: StompSession;
}

/** Kafka header names already reported as not sendable, per task: each is logged once. */
const reportedHeaders = new WeakMap<SinkRuntime, Set<string>>();

export const jmsSinkPlugin = defineStreamReactorSink<JmsSettings, JmsRoute, JmsConnection, PreparedMessage>({
  name: '@sluice/sink-jms',
  version,
  className: 'JMSSinkConnector',
  aliases: [
    'io.lenses.streamreactor.connect.jms.sink.JMSSinkConnector',
    'com.datamountaineer.streamreactor.connect.jms.sink.JMSSinkConnector',
  ],
  displayName: 'the JMS sink',
  prefix: PREFIX,
  configDef,
  kcqlDoc:
    'KCQL statements: `INSERT INTO <destination> SELECT *|<fields> FROM <kafka topic> [IGNORE …] ' +
    '[WITHFORMAT JSON|TEXT|AVRO|BINARY|MAP] WITHTYPE QUEUE|TOPIC`, separated by `;`.',
  kcql: {
    supported: [
      'INSERT',
      'IGNORE',
      'WITHTYPE',
      'WITHFORMAT',
      'WITHSTRUCTURE',
      'SELECT _key',
      'SELECT _header',
      'SELECT _.topic/partition/offset/timestamp',
    ],
    // Source-side clauses of the shared JMS KCQL: accepted, with a warning, so that a config shared
    // with the source connector runs.
    ignored: ['WITHJMSSELECTOR', 'WITHSUBSCRIPTION'],
  },
  settings: (parsed, props) => jmsSettings(parsed, props),
  compile: compileRoute,

  async connect(settings, runtime) {
    const describe = `Connector ${runtime.connectorName} task ${runtime.taskId}`;
    for (const key of settings.jndiKeys) runtime.logger.info(`${describe}: ${jndiNotice(key)}`);
    const session = new StompSession({
      brokers: settings.brokers,
      username: settings.username,
      password: settings.password,
      timeoutMs: settings.timeoutMs,
      ...(settings.tls ? { tls: settings.tls } : {}),
      describe,
      log: runtime.logger,
      signal: runtime.signal,
    });
    try {
      await session.open();
      runtime.logger.info(
        `${describe}: connected over STOMP to ${settings.brokers.map((b) => b.url).join(', ')}`,
      );
    } catch (e) {
      // A refused login fails the task now; a broker that is down is retried at the first batch,
      // under the error policy, like one that goes down later.
      if (!(e instanceof BrokerUnavailable)) throw e;
      runtime.logger.warn(`${e.message}; the sink connects again when records arrive.`);
    }
    return { session };
  },
  close: (connection) => connection.session.close(),

  prepare(record, route, settings, runtime) {
    const message = toStompMessage(record, route, {
      connectorName: runtime.connectorName,
      persistent: settings.persistent,
    });
    if (message.skippedHeaders.length > 0) reportSkippedHeaders(runtime, message.skippedHeaders);
    return message;
  },
  write: (connection, messages) => writeMessages(connection.session, messages),
  classify(error) {
    if (error instanceof BrokerLoginRefused) return 'fatal';
    if (error instanceof DestinationRefused) return 'data';
    if (error instanceof BrokerUnavailable) return 'transient';
    return undefined;
  },
  // Stream Reactor's JMS sink skips tombstones; the kit logs each at DEBUG with its coordinates.
  tombstones: () => 'ignore',
});

function reportSkippedHeaders(runtime: SinkRuntime, names: readonly string[]): void {
  let reported = reportedHeaders.get(runtime);
  if (!reported) reportedHeaders.set(runtime, (reported = new Set()));
  for (const name of names) {
    if (reported.has(name)) continue;
    reported.add(name);
    runtime.logger.warn(
      `Connector ${runtime.connectorName}: the Kafka header '${name}' is not sent as a message property: over STOMP it is ` +
        'a frame header that would change the message (its destination, type or delivery). Rename it upstream to keep it.',
    );
  }
}

export default jmsSinkPlugin;
export { configDef } from './config.js';
export { toStompMessage, type PreparedMessage } from './messages.js';
export { compileRoute, type JmsRoute } from './routes.js';
