import { EventEmitter } from 'node:events';
import { logLevel } from 'kafkajs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { kafkaJsEntryLevel, pinoLogCreator } from '../../src/kafka/kafkajs/logging.js';
import type { FromConsumerThread, ToConsumerThread } from '../../src/kafka/kafkajs/thread-protocol.js';
import { ThreadedKafkaJsConsumer, type ConsumerThread } from '../../src/kafka/kafkajs/threaded-consumer.js';

// What a user reads from kafkajs (issue 13, defects 8 and 10): expected, retried broker answers are
// not errors, and each log line carries its keys once.

function capture(bindings: Record<string, unknown>) {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) }).child(bindings);
  return { logger, lines };
}

describe('kafkajs log levels', () => {
  const response = (error: string) =>
    kafkaJsEntryLevel('Connection', logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', { error });

  it('logs the routine broker answers of every start at DEBUG, not ERROR', () => {
    expect(response('This server does not host this topic-partition')).toBe('debug');
    expect(response('The group is rebalancing, so a rejoin is needed')).toBe('debug');
    expect(response('Topic creation errors')).toBe('debug');
    expect(response('This server is not the leader for that topic-partition')).toBe('debug');
    expect(response("The coordinator is loading and hence can't process requests for this group")).toBe(
      'debug',
    );
  });

  it('keeps other broker answers visible, at WARN (the caller reports what it cannot handle)', () => {
    expect(response('Not authorized to access topics: [Topic authorization failed]')).toBe('warn');
  });

  it('logs group events kafkajs handles by rejoining at INFO', () => {
    expect(kafkaJsEntryLevel('Runner', logLevel.WARN, 'The group is rebalancing, re-joining', {})).toBe(
      'info',
    );
    expect(
      kafkaJsEntryLevel(
        'Runner',
        logLevel.ERROR,
        'The coordinator is not aware of this member, re-joining the group',
        {},
      ),
    ).toBe('info');
  });

  it('keeps what a person must act on at ERROR', () => {
    expect(
      kafkaJsEntryLevel(
        'Connection',
        logLevel.ERROR,
        'Connection error: connect ECONNREFUSED 127.0.0.1:1',
        {},
      ),
    ).toBe('error');
    expect(kafkaJsEntryLevel('Consumer', logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded', {})).toBe(
      'error',
    );
  });
});

describe('kafkajs log lines', () => {
  it('carry the client once: the logger names it, the entry does not repeat it', () => {
    const { logger, lines } = capture({ client: 'connector-consumer-s-0' });
    pinoLogCreator(logger)(logLevel.INFO)({
      namespace: 'Consumer',
      level: logLevel.INFO,
      label: 'INFO',
      log: {
        message: 'Starting',
        timestamp: 'now',
        logger: 'kafkajs',
        clientId: 'connector-consumer-s-0',
        groupId: 'g',
      },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.match(/"client"/g)).toHaveLength(1);
    expect(lines[0]).not.toContain('clientId');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      client: 'connector-consumer-s-0',
      kafkajs: 'Consumer',
      groupId: 'g',
    });
  });

  it('from the consumer thread carry the client once', () => {
    class Thread extends EventEmitter implements ConsumerThread {
      postMessage(_m: ToConsumerThread): void {}
      send(m: FromConsumerThread) {
        this.emit('message', m);
      }
      terminate() {
        return Promise.resolve(0);
      }
    }
    const thread = new Thread();
    const { logger, lines } = capture({ client: 'c-0' });
    new ThreadedKafkaJsConsumer({}, { groupId: 'g', clientId: 'c-0' }, logger, () => thread);
    thread.send({
      type: 'log',
      line: JSON.stringify({
        level: 30,
        time: 1,
        pid: 2,
        hostname: 'h',
        client: 'c-0',
        kafkajs: 'Consumer',
        msg: 'Starting',
      }),
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.match(/"client"/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ client: 'c-0', kafkajs: 'Consumer', msg: 'Starting' });
  });
});
