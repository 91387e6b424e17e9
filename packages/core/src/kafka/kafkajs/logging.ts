import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { logLevel, type logCreator } from 'kafkajs';

// kafkajs logs through pino, with the kafkajs namespace (Consumer, Runner, Connection…) as context.
//
// kafkajs logs every error answer of a broker at ERROR, and a few routine group events at WARN or
// ERROR, although it retries them or the caller handles the error it throws: a topic that was just
// created ("This server does not host this topic-partition"), a rebalance, a topic that already exists,
// a leader that moved. Every worker start printed some. ERROR and WARN are kept for what a person
// must act on; these expected, retried answers are logged at DEBUG (broker answers) or INFO (group
// events a user may want to follow).

type Level = 'error' | 'warn' | 'info' | 'debug';

interface ProtocolErrorCode {
  readonly type: string;
  readonly retriable: boolean;
  readonly message: string;
}

// kafkajs' table of Kafka protocol errors (it has no package exports map; the path is stable in 2.x).
const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
  errorCodes: readonly ProtocolErrorCode[];
};

/** Non-retriable by Kafka's table, yet routine for a client: kafkajs rejoins or the caller expects them. */
const ROUTINE_ERROR_TYPES = new Set([
  'REBALANCE_IN_PROGRESS',
  'TOPIC_ALREADY_EXISTS',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'MEMBER_ID_REQUIRED',
]);

/** Messages of broker answers that are retried or expected; `Topic creation errors` wraps TOPIC_ALREADY_EXISTS. */
const ROUTINE_BROKER_ANSWERS = new Set([
  ...errorCodes.filter((e) => e.retriable || ROUTINE_ERROR_TYPES.has(e.type)).map((e) => e.message),
  'Topic creation errors',
]);

/** Group events kafkajs handles itself by rejoining: worth a line, not an alarm. */
const ROUTINE_GROUP_EVENTS = [
  'The group is rebalancing, re-joining',
  'The coordinator is not aware of this member, re-joining the group',
  'Consumer is not aware of all assigned partitions, refreshing metadata',
];

/** The level a kafkajs log entry is written at. */
export function kafkaJsEntryLevel(
  namespace: string,
  level: logLevel,
  message: string,
  extra: Record<string, unknown>,
): Level {
  const natural: Level =
    level === logLevel.ERROR
      ? 'error'
      : level === logLevel.WARN
        ? 'warn'
        : level === logLevel.INFO
          ? 'info'
          : 'debug';
  if (natural !== 'error' && natural !== 'warn') return natural;
  // Connection logs each error answer before throwing it to the caller, which retries or reports it.
  if (namespace === 'Connection' && message.startsWith('Response ')) {
    const error = typeof extra.error === 'string' ? extra.error : '';
    return ROUTINE_BROKER_ANSWERS.has(error) ? 'debug' : 'warn';
  }
  if (ROUTINE_GROUP_EVENTS.some((m) => message.startsWith(m)) || message.endsWith(', resync group'))
    return 'info';
  return natural;
}

export function kafkaJsLogLevel(logger: Logger): logLevel {
  return logger.isLevelEnabled('debug') ? logLevel.DEBUG : logLevel.INFO;
}

export function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      // kafkajs repeats the client id on every entry; the logger already names the client.
      const { message, timestamp: _timestamp, logger: _name, clientId: _clientId, ...extra } = log;
      const ctx = { kafkajs: namespace, ...extra };
      logger[kafkaJsEntryLevel(namespace, level, message, extra)](ctx, message);
    };
}
