import type { SinkRecord, SinkTaskContext } from '@sluice/core/sink';
import { sinkRecord } from '@sluice/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { FakeBroker } from './fake-broker.js';

const base = {
  name: 'jms-sink',
  'connector.class': 'io.lenses.streamreactor.connect.jms.sink.JMSSinkConnector',
  topics: 'orders',
  'connect.jms.url': 'stomp://127.0.0.1:61613',
  'connect.jms.kcql': 'INSERT INTO orders SELECT * FROM orders WITHTYPE QUEUE',
};

/** A task context for the kit's task: its logger, and a dead letter queue reporter when given. */
function taskContext(
  logger: { debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void },
  report?: (record: SinkRecord, error: Error) => Promise<void>,
): SinkTaskContext {
  return {
    connectorName: 'jms-sink',
    taskId: 0,
    configs: () => ({}),
    assignment: () => [],
    offset: () => undefined,
    timeout: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
    requestCommit: () => undefined,
    errantRecordReporter: () => (report ? { report } : null),
    logger,
  };
}

let broker: FakeBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

describe('the JMS sink plugin', () => {
  it("answers to Stream Reactor's class names and has its keys (password secret) plus the kit's", () => {
    expect(plugin.aliases).toEqual([
      'io.lenses.streamreactor.connect.jms.sink.JMSSinkConnector',
      'com.datamountaineer.streamreactor.connect.jms.sink.JMSSinkConnector',
    ]);
    const keys = plugin.configDef.configKeys();
    for (const key of [
      'connect.jms.url',
      'connect.jms.initial.context.factory',
      'connect.jms.connection.factory',
      'connect.jms.username',
      'connect.jms.password',
      'connect.jms.initial.context.extra.params',
      'connect.jms.destination.selector',
      'connect.jms.headers',
      'connect.jms.sink.default.converter',
      'connect.jms.kcql',
      'connect.jms.error.policy',
      'connect.jms.max.retries',
      'connect.jms.retry.interval',
      'connect.progress.enabled',
      'connect.jms.ssl.truststore.location',
    ])
      expect(keys.has(key), key).toBe(true);
    expect(keys.get('connect.jms.password')!.type).toBe('PASSWORD');
    expect(keys.get('connect.jms.connection.factory')!.default).toBe('ConnectionFactory');
    expect(keys.get('connect.jms.error.policy')!.default).toBe('THROW');
  });

  it('validate reports each problem on its key, with what to write instead', () => {
    expect(plugin.validate(base)).toEqual({});
    expect(plugin.validate({ ...base, 'connect.jms.url': 'tcp://activemq:61616' })).toEqual({});
    const errors = plugin.configDef.validate({ ...base, 'connect.jms.url': 'tcp://activemq:61616' });
    expect(errors.find((e) => e.name === 'connect.jms.url')!.errors.join()).toMatch(
      /Use its STOMP connector instead, e\.g\. stomp:\/\/activemq:61613/,
    );
    expect(
      plugin.validate({
        ...base,
        'connect.jms.kcql': 'INSERT INTO orders SELECT * FROM orders WITHFORMAT OBJECT WITHTYPE QUEUE',
      }),
    ).toEqual({
      'connect.jms.kcql': [expect.stringMatching(/WITHFORMAT OBJECT.*cannot be made honestly from Node/)],
    });
    expect(
      plugin.validate({ ...base, 'connect.jms.kcql': 'INSERT INTO orders SELECT * FROM orders' }),
    ).toEqual({
      'connect.jms.kcql': [expect.stringMatching(/WITHTYPE not set/)],
    });
    expect(
      plugin.validate({
        ...base,
        'connect.jms.kcql': 'INSERT INTO orders SELECT * FROM orders WITHTYPE QUEUE WITHCONVERTER=`a.B`',
      }),
    ).toEqual({
      'connect.jms.kcql': [expect.stringMatching(/uses WITHCONVERTER, which the JMS sink does not support/)],
    });
    const converter = plugin.configDef.validate({
      ...base,
      'connect.jms.sink.default.converter': 'com.x.MyConverter',
    });
    expect(converter.find((e) => e.name === 'connect.jms.sink.default.converter')!.errors.join()).toMatch(
      /cannot run in Node/,
    );
    expect(plugin.validate({ ...base, 'connect.jms.password': 'x' })).toEqual({
      'connect.jms.username': [
        expect.stringMatching(/connect\.jms\.password is set without connect\.jms\.username/),
      ],
    });
  });

  it('start: one INFO line per JNDI key the config sets (the default value included); a refused login fails the task at once', async () => {
    broker = await FakeBroker.start();
    broker.login = 'app';
    const lines: string[] = [];
    const logger = {
      debug: () => undefined,
      info: (m: string) => lines.push(m),
      warn: (m: string) => lines.push(m),
      error: (m: string) => lines.push(m),
    };
    const context = taskContext(logger);
    const config = {
      ...base,
      'connect.jms.url': `stomp://127.0.0.1:${broker.port}`,
      'connect.jms.initial.context.factory': 'org.apache.activemq.jndi.ActiveMQInitialContextFactory',
      'connect.jms.connection.factory': 'ConnectionFactory',
      'connect.jms.destination.selector': 'JNDI',
      'connect.jms.username': 'app',
      'connect.jms.password': 'pw',
    };
    const task = plugin.createTask();
    await task.start(config, context);
    await task.stop();
    const jndi = lines.filter((l) => /JNDI has no meaning over STOMP/.test(l));
    expect(jndi.map((l) => /(connect\.jms\.[a-z.]+) is set/.exec(l)![1])).toEqual([
      'connect.jms.initial.context.factory',
      'connect.jms.connection.factory',
      'connect.jms.destination.selector',
    ]);
    expect(lines.join('\n')).not.toContain('pw');

    const refused = plugin.createTask();
    await expect(refused.start({ ...config, 'connect.jms.username': 'intruder' }, context)).rejects.toThrow(
      /refused the login: User name \[intruder\] or password is invalid/,
    );
  });

  it('put: records for a destination the broker refuses go to the dead letter queue; the others are committed', async () => {
    broker = await FakeBroker.start();
    broker.refuse.add('/queue/forbidden');
    const reported: { offset: number; message: string }[] = [];
    const quiet = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    };
    const context = taskContext(quiet, async (record, error) => {
      reported.push({ offset: record.kafkaOffset, message: error.message });
    });
    const task = plugin.createTask();
    await task.start(
      {
        ...base,
        'connect.jms.url': `stomp://127.0.0.1:${broker.port}`,
        'connect.jms.kcql':
          'INSERT INTO orders SELECT * FROM orders WITHTYPE QUEUE;INSERT INTO forbidden SELECT * FROM orders WITHTYPE QUEUE',
      },
      context,
    );
    await task.put([0, 1].map((offset) => sinkRecord(`{"n":${offset}}`, null, { topic: 'orders', offset })));
    await task.stop();
    expect(broker.committed.map((f) => [f.headers['destination'], f.body])).toEqual([
      ['/queue/orders', '{"n":0}'],
      ['/queue/orders', '{"n":1}'],
    ]);
    expect(reported.map((r) => r.offset)).toEqual([0, 1]);
    expect(reported[0]!.message).toMatch(/offset 0: the broker refused the destination \/queue\/forbidden/);
  });
});
